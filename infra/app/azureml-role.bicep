// The app identity's access to an Azure Machine Learning (v2) workspace: a custom role holding only
// the actions the app calls (shared/backends/azureml/), assigned on that workspace alone. The
// built-in "AzureML Data Scientist" would also cover them, with every other workspace action
// besides (datastores, secrets, compute use, deleting any asset).
targetScope = 'resourceGroup'

@description('Name of the Azure ML workspace in this resource group.')
param workspaceName string
@description('Principal id of the app\'s user-assigned identity.')
param appPrincipalId string
@description('Id of the role definition to assign (created at subscription scope by main.bicep).')
param roleDefinitionId string

resource workspace 'Microsoft.MachineLearningServices/workspaces@2025-06-01' existing = {
  name: workspaceName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, appPrincipalId, roleDefinitionId)
  scope: workspace
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleDefinitionId
  }
}
