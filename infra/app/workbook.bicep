// The operators' workbook, kept as JSON in infra/monitoring/workbook.json and bound to the
// Application Insights resource whose customEvents/customMetrics it queries.
param displayName string
param location string
@description('Resource tags: names and string values, as azd passes them.')
param tags { *: string } = {}
param applicationInsightsId string

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, applicationInsightsId, 'retrainer-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: loadTextContent('../monitoring/workbook.json')
  }
}

output id string = workbook.id
