// The one identity the Function App runs as: storage, Key Vault and Application Insights trust it.
param name string
param location string
@description('Resource tags: names and string values, as azd passes them.')
param tags { *: string } = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
