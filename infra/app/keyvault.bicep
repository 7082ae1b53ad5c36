// RBAC-mode Key Vault for the two Azure ML API keys. The secrets themselves are set by the user
// (`az keyvault secret set`), never by this template, so no key passes through a deployment.
param name string
param location string
@description('Resource tags: names and string values, as azd passes them.')
param tags { *: string } = {}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
