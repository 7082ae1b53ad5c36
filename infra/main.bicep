// Entry point for `azd up`: one resource group holding the Function App, its storage, identity,
// monitoring, Key Vault, workbook and alerts. Each concern is a small module under app/.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; prefixes the resource group and tags every resource.')
param environmentName string

@minLength(1)
@description('Azure region for every resource (must offer Flex Consumption).')
param location string

@description('Object id of the user running azd (AZURE_PRINCIPAL_ID): granted Key Vault Secrets Officer to set the API keys.')
param principalId string = ''
@description('What principalId is (AZURE_PRINCIPAL_TYPE, set by azd): User, or ServicePrincipal when azd runs in CI.')
@allowed([ 'User', 'ServicePrincipal' ])
param principalType string = 'User'

@description('Azure ML Studio (classic) regional services URL, e.g. https://ussouthcentral.services.azureml.net')
param amlServicesUrl string = 'https://ussouthcentral.services.azureml.net'
param amlManagementUrl string = 'https://management.azureml.net'
@description('Azure ML Studio (classic) workspace id.')
param amlWorkspaceId string
@description('Id of the training web service (BES).')
param amlTrainingServiceId string
@description('Id of the predictive web service whose endpoints get the retrained model.')
param amlPredictiveServiceId string
param amlTrainedModelResource string = 'Census Model [trained model]'
@description('Comma-separated endpoint names to retrain (never "default").')
param retrainEndpoints string
@description('NCRONTAB with seconds, e.g. "0 0 3 * * 0" (Sundays 03:00 UTC).')
param retrainSchedule string = '0 0 3 * * 0'
@description('Training data: an https:// URL or blob:container/path in the app storage account.')
param retrainDataSource string
@description('Blob containers a request may name as its data source, comma-separated, besides the configured data sources\' own (default none).')
param retrainDataContainers string = ''
param retrainEndpointSettings string = '{}'
@description('Checks the staged data must pass before a job trains on it, as JSON (docs/settings.md), e.g. {"minRows":1000,"maxPsi":0.2}; {} takes the defaults.')
param retrainDataChecks string = '{}'
@description('"true": a run whose data is the same as the last trained run\'s ends skipped, no job submitted.')
param retrainSkipUnchanged string = 'true'
param retrainMaxParallel string = '4'
@description('Promotion gate, e.g. "AUC>=0.85; Accuracy>=0.8".')
param retrainGate string
@description('Webhooks told about every endpoint\'s runs, as JSON (docs/settings.md), e.g. [{"url":"https://example.com/hook","events":["promoted","failed"]}]; set the vault secret webhook-secret first.')
param retrainWebhooks string = '[]'
param approvalRequired string = 'false'
@description('Client id of an Entra app registration for App Service authentication, so approvals record who approved; empty: off, approvers recorded as "function key".')
param authClientId string = ''
@description('Email for alert notifications; empty for none.')
param alertEmail string = ''
@description('Appended to the Key Vault name (AZURE_KEY_VAULT_SUFFIX). Empty for a new environment; azd down sets a new one (infra/hooks/new-vault-suffix.mjs), because the deleted vault keeps its name for its 7 days of soft delete.')
@maxLength(8)
param keyVaultSuffix string = ''
@description('Azure ML (v2) workspace resource id, when an endpoint\'s backend is azureml; empty when every endpoint is classic.')
param azureMlWorkspaceId string = ''
@description('Azure ML (v2) training environment (ARM id of an environment version).')
param azureMlEnvironmentId string = ''
@description('Azure ML (v2) training compute (ARM id); empty: serverless.')
param azureMlComputeId string = ''
@description('Azure ML (v2) code asset version (ARM id) the training job runs; empty: the script is in the environment\'s image.')
param azureMlCodeId string = ''

var tags = {
  'azd-env-name': environmentName
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var stagingContainerName = 'retrainer-runs'
var archiveContainerName = 'retrainer-archive'
var historyTableName = 'RetrainerRuns'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    stagingContainerName: stagingContainerName
    archiveContainerName: archiveContainerName
    historyTableName: historyTableName
  }
}

// Endpoints' data locations: their containers and the storage account's Event Grid topic.
module dataEvents 'app/data-events.bicep' = {
  name: 'data-events'
  scope: rg
  dependsOn: [
    storage
  ]
  params: {
    // The name, not storage's output: What-If can see it (as for rbac below).
    storageAccountName: 'st${resourceToken}'
    location: location
    tags: tags
    retrainEndpointSettings: retrainEndpointSettings
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    // 'kv-' + 13 + at most 8 = 24, Key Vault's limit.
    name: 'kv-${resourceToken}${toLower(keyVaultSuffix)}'
    location: location
    tags: tags
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    // What-If cannot see these names (module outputs) and predicts the role assignments less
    // precisely; the deployment itself is unaffected, and outputs keep the modules in order.
    #disable-next-line what-if-short-circuiting
    storageAccountName: storage.outputs.name
    #disable-next-line what-if-short-circuiting
    keyVaultName: keyVault.outputs.name
    #disable-next-line what-if-short-circuiting
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    #disable-next-line what-if-short-circuiting
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  dependsOn: [
    rbac
  ]
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    amlServicesUrl: amlServicesUrl
    amlManagementUrl: amlManagementUrl
    amlWorkspaceId: amlWorkspaceId
    amlTrainingServiceId: amlTrainingServiceId
    amlPredictiveServiceId: amlPredictiveServiceId
    amlTrainedModelResource: amlTrainedModelResource
    retrainEndpoints: retrainEndpoints
    retrainSchedule: retrainSchedule
    retrainDataSource: retrainDataSource
    retrainDataContainers: retrainDataContainers
    retrainEndpointSettings: retrainEndpointSettings
    retrainDataChecks: retrainDataChecks
    retrainSkipUnchanged: retrainSkipUnchanged
    retrainMaxParallel: retrainMaxParallel
    retrainGate: retrainGate
    retrainWebhooks: retrainWebhooks
    stagingContainerName: stagingContainerName
    archiveContainerName: archiveContainerName
    historyTableName: historyTableName
    approvalRequired: approvalRequired
    authClientId: authClientId
    azureMlWorkspaceId: azureMlWorkspaceId
    azureMlEnvironmentId: azureMlEnvironmentId
    azureMlComputeId: azureMlComputeId
    azureMlCodeId: azureMlCodeId
  }
}

// Exactly the workspace actions the app calls, each named (issue 16, item 6): jobs (submit, read,
// cancel) and their MLflow runs, model versions (register, read), online endpoints (read, set
// traffic, list keys) and their deployments (create, read, delete), and the workspace itself
// (its MLflow tracking URI). Assignable on that workspace only.
var azureMlActions = [
  'Microsoft.MachineLearningServices/workspaces/read'
  'Microsoft.MachineLearningServices/workspaces/jobs/read'
  'Microsoft.MachineLearningServices/workspaces/jobs/write'
  'Microsoft.MachineLearningServices/workspaces/jobs/cancel/action'
  'Microsoft.MachineLearningServices/workspaces/experiments/runs/read'
  'Microsoft.MachineLearningServices/workspaces/environments/versions/read'
  'Microsoft.MachineLearningServices/workspaces/codes/versions/read'
  'Microsoft.MachineLearningServices/workspaces/models/versions/read'
  'Microsoft.MachineLearningServices/workspaces/models/versions/write'
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read'
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write'
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action'
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read'
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write'
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/delete'
]

resource azureMlRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (!empty(azureMlWorkspaceId)) {
  name: guid(subscription().id, environmentName, 'retrainer-azureml')
  properties: {
    roleName: 'Retrainer Azure ML (${environmentName})'
    description: 'What the retrainer app calls on its Azure ML workspace: jobs, MLflow runs, model versions, online endpoints and deployments.'
    type: 'CustomRole'
    permissions: [
      {
        actions: azureMlActions
        notActions: []
      }
    ]
    assignableScopes: [
      azureMlWorkspaceId
    ]
  }
}

module azureMlAccess 'app/azureml-role.bicep' = if (!empty(azureMlWorkspaceId)) {
  name: 'azureml-role'
  scope: resourceGroup(split(azureMlWorkspaceId, '/')[2], split(azureMlWorkspaceId, '/')[4])
  params: {
    workspaceName: last(split(azureMlWorkspaceId, '/'))
    #disable-next-line what-if-short-circuiting
    appPrincipalId: identity.outputs.principalId
    roleDefinitionId: azureMlRole.id
  }
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    displayName: 'Retrainer runs (${environmentName})'
    location: location
    tags: tags
    // As for rbac above: What-If cannot see a module output; deploying is unaffected.
    #disable-next-line what-if-short-circuiting
    applicationInsightsId: monitoring.outputs.applicationInsightsId
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: 'retrainer-${resourceToken}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmail: alertEmail
  }
}

// azd stores these in the environment (.azure/<env>/.env); the commands in README.md and docs/deploy.md use them.
output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
// For the postdeploy hook that subscribes the app to new data (infra/hooks/subscribe-new-data.mjs).
output RETRAIN_NEW_DATA_TOPIC string = dataEvents.outputs.topicName
output RETRAIN_DATA_LOCATIONS string = dataEvents.outputs.dataLocations
