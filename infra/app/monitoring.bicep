// Log Analytics + workspace-based Application Insights. Local (key) auth is off: the app and
// the Functions host send telemetry with their Entra identity (Monitoring Metrics Publisher).
param logAnalyticsName string
param applicationInsightsName string
param location string
@description('Resource tags: names and string values, as azd passes them.')
param tags { *: string } = {}
param retentionInDays int = 90

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

output applicationInsightsId string = applicationInsights.id
output applicationInsightsName string = applicationInsights.name
output connectionString string = applicationInsights.properties.ConnectionString
output logAnalyticsId string = logAnalytics.id
