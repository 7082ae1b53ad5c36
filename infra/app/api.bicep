// The Function App on Flex Consumption (Linux, Node 22), running as the user-assigned identity.
// Every app setting is in the one `appSettings` literal below: test/infra/drift.test.ts reads
// the names from it and compares them with shared/config/settings.ts.
param name string
param planName string
param location string
@description('Resource tags: names and string values, as azd passes them.')
param tags { *: string } = {}
param identityId string
param identityClientId string
param storageAccountName string
param storageBlobEndpoint string
param deploymentContainerName string
param applicationInsightsConnectionString string
param keyVaultUri string
param amlServicesUrl string
param amlManagementUrl string
param amlWorkspaceId string
param amlTrainingServiceId string
param amlPredictiveServiceId string
param amlTrainedModelResource string
param retrainEndpoints string
param retrainSchedule string
param retrainDataSource string
param retrainDataContainers string = ''
param retrainEndpointSettings string
param retrainDataChecks string
param retrainSkipUnchanged string
param retrainMaxParallel string
param retrainGate string
@description('Webhooks told about every endpoint\'s runs, as JSON (RETRAIN_WEBHOOKS); an endpoint\'s own are in retrainEndpointSettings.')
param retrainWebhooks string = '[]'
param stagingContainerName string
param archiveContainerName string
param historyTableName string
param approvalRequired string
@description('Azure ML (v2) workspace resource id; empty when every endpoint is classic.')
param azureMlWorkspaceId string = ''
@description('Azure ML (v2) training environment (ARM id).')
param azureMlEnvironmentId string = ''
param azureMlComputeId string = ''
@description('Azure ML (v2) code asset version (ARM id) the training job runs; empty: the script is in the environment\'s image.')
param azureMlCodeId string = ''
param azureMlTrafficSteps string = '10,50,100'
param azureMlMirrorPercent string = '0'
@description('Client id of a Microsoft Entra app registration for App Service authentication. With it, approvals record the signed-in approver; empty leaves authentication off, and approvers are recorded as "function key".')
param authClientId string = ''
param authTenantId string = subscription().tenantId
@description('true: a run waiting for approval cannot be decided by the person who started it.')
param approverMustDiffer string = 'false'
param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048

var trainingKeyReference = '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/aml-training-api-key/)'
var managementKeyReference = '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/aml-management-api-key/)'
// Signed webhooks need the secret `webhook-secret` in the vault (set by you, like the AML keys).
// Referenced only when some webhook is configured: an unresolved reference stops the app, and a
// deployment without webhooks should not need a secret nobody uses. A textual test, since an
// endpoint's webhooks sit inside the endpoint settings' JSON.
var webhooksConfigured = trim(retrainWebhooks) != '[]' || contains(retrainEndpointSettings, '"webhooks"')
var webhookSecretReference = '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/webhook-secret/)'
// The operator console signs its sessions, forms and chat links with the secret `console-secret`
// (set by you, at least 32 characters). It is on only with App Service authentication: in Azure
// people sign in with Entra ID and their app roles (Viewer, Operator, Approver) decide; no key.
var consoleSecretReference = '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/console-secret/)'

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    // No ftpsState: Flex Consumption rejects it (error 51021); FTP is not offered on Flex at all.
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // Microsoft's guidance for Durable Functions on Flex: one always-ready instance for the
        // durable group, so orchestrations, timers and activities start without a cold start after
        // idle (with host.json's 10 s maximum queue polling interval).
        alwaysReady: [
          {
            name: 'durable'
            instanceCount: 1
          }
        ]
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Flex Consumption sets the worker runtime from functionAppConfig.runtime; FUNCTIONS_WORKER_RUNTIME
// and FUNCTIONS_EXTENSION_VERSION are not allowed as app settings there.
var appSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  AML_SERVICES_URL: amlServicesUrl
  AML_MANAGEMENT_URL: amlManagementUrl
  AML_WORKSPACE_ID: amlWorkspaceId
  AML_TRAINING_SERVICE_ID: amlTrainingServiceId
  AML_TRAINING_API_KEY: trainingKeyReference
  AML_PREDICTIVE_SERVICE_ID: amlPredictiveServiceId
  AML_MANAGEMENT_API_KEY: managementKeyReference
  AML_TRAINED_MODEL_RESOURCE: amlTrainedModelResource
  RETRAIN_ENDPOINTS: retrainEndpoints
  RETRAIN_SCHEDULE: retrainSchedule
  RETRAIN_DATA_SOURCE: retrainDataSource
  RETRAIN_DATA_CONTAINERS: retrainDataContainers
  RETRAIN_DATA_MAX_MEGABYTES: '10240'
  RETRAIN_ENDPOINT_SETTINGS: retrainEndpointSettings
  RETRAIN_DATA_CHECKS: retrainDataChecks
  RETRAIN_SKIP_UNCHANGED: retrainSkipUnchanged
  RETRAIN_DATA_DEBOUNCE_SECONDS: '60'
  RETRAIN_MAX_PARALLEL: retrainMaxParallel
  RETRAIN_GATE: retrainGate
  RETRAIN_WEBHOOKS: retrainWebhooks
  RETRAIN_WEBHOOK_SECRET: webhooksConfigured ? webhookSecretReference : ''
  RETRAIN_WEBHOOK_FIRST_RETRY_SECONDS: '10'
  RETRAIN_CONSOLE_SECRET: empty(authClientId) ? '' : consoleSecretReference
  RETRAIN_CONSOLE_KEY: ''
  RETRAIN_APPROVER_MUST_DIFFER: approverMustDiffer
  STAGING_STORAGE_ACCOUNT_URL: storageBlobEndpoint
  STAGING_CONTAINER: stagingContainerName
  HISTORY_TABLE: historyTableName
  ARCHIVE_CONTAINER: archiveContainerName
  VERIFY_DELAY_SECONDS: '30'
  POLL_FIRST_INTERVAL_SECONDS: '15'
  POLL_BACKOFF_FACTOR: '1.5'
  POLL_MAX_INTERVAL_SECONDS: '300'
  JOB_DEADLINE_MINUTES: '240'
  SAS_REFRESH_MARGIN_SECONDS: '300'
  AML_REQUEST_TIMEOUT_SECONDS: '60'
  APPROVAL_REQUIRED: approvalRequired
  APPROVAL_TIMEOUT_HOURS: '72'
  AZUREML_WORKSPACE_ID: azureMlWorkspaceId
  AZUREML_ARM_URL: environment().resourceManager
  AZUREML_ENVIRONMENT_ID: azureMlEnvironmentId
  AZUREML_COMPUTE_ID: azureMlComputeId
  AZUREML_CODE_ID: azureMlCodeId
  AZUREML_TRAINING_COMMAND: 'python train.py --data \${{inputs.data}} $[[--probe \${{inputs.probe}}]]'
  AZUREML_INSTANCE_TYPE: 'Standard_DS3_v2'
  AZUREML_INSTANCE_COUNT: '1'
  AZUREML_TRAFFIC_STEPS: azureMlTrafficSteps
  AZUREML_STEP_WAIT_SECONDS: '300'
  AZUREML_MIRROR_PERCENT: azureMlMirrorPercent
  AZUREML_OPERATION_TIMEOUT_MINUTES: '30'
  AZUREML_RETIRE_AFTER_HOURS: '24'
}

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: appSettings
}

// App Service authentication: a signed-in caller's identity reaches the code in headers the
// platform sets (and strips from callers), and WEBSITE_AUTH_ENABLED tells the code to trust them.
// Anonymous requests still pass to the functions, which keep requiring their keys.
resource auth 'Microsoft.Web/sites/config@2025-03-01' = if (!empty(authClientId)) {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [ 'api://${authClientId}' ]
        }
      }
    }
  }
}

output id string = app.id
output name string = app.name
output defaultHostName string = app.properties.defaultHostName
