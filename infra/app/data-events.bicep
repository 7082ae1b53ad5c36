// Where new data lands: each endpoint's data location (RETRAIN_ENDPOINT_SETTINGS `dataLocation`,
// "blob:container" or "blob:container/folder") gets its container, and the storage account an Event
// Grid system topic whose BlobCreated events start runs (functions/triggers/new-data.ts). The
// subscriptions are infra/new-data.bicep's: they need the app's code deployed and its
// eventgrid_extension key, so the postdeploy hook deploys them (infra/hooks/subscribe-new-data.mjs).
param storageAccountName string
param location string
@description('Resource tags: names and string values, as azd passes them.')
param tags { *: string } = {}
@description('RETRAIN_ENDPOINT_SETTINGS as JSON: the endpoints with a dataLocation are watched.')
param retrainEndpointSettings string

var located = filter(items(json(retrainEndpointSettings)), e => contains(e.value, 'dataLocation'))
var paths = map(located, e => {
  endpoint: e.key
  parts: split(substring(string(e.value.dataLocation), 5), '/')
})
var locations = map(paths, p => {
  endpoint: p.endpoint
  container: p.parts[0]
  folder: join(filter(skip(p.parts, 1), s => !empty(s)), '/')
})

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' existing = {
  parent: storage
  name: 'default'
}

// Two endpoints may share a container with folders of their own: one container each.
resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [for name in union(map(locations, l => l.container), []): {
  parent: blobService
  name: name
}]

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = if (!empty(locations)) {
  name: '${storageAccountName}-data'
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output topicName string = empty(locations) ? '' : topic.name
@description('The data locations as JSON, for infra/new-data.bicep: endpoint, container, folder.')
output dataLocations string = string(locations)
