// The Event Grid subscriptions that start runs on new data: one per endpoint data location, from
// the storage account's system topic (infra/app/data-events.bicep) to the app's Event Grid trigger
// (functions/triggers/new-data.ts), BlobCreated events under the location's folder only. Deployed
// by the postdeploy hook (infra/hooks/subscribe-new-data.mjs), not with main.bicep: Event Grid
// validates the webhook when a subscription is created, which needs the app's code running, and
// the eventgrid_extension key exists only once the host has loaded the Event Grid extension.
param functionAppName string
param systemTopicName string
@description('data-events.bicep\'s dataLocations output: [{ endpoint, container, folder }].')
param dataLocations string

resource app 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource subscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = [for l in json(dataLocations): {
  parent: topic
  name: take('new-data-${toLower(l.endpoint)}', 64)
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${app.properties.defaultHostName}/runtime/webhooks/eventgrid?functionName=retrainOnNewData&code=${listKeys('${app.id}/host/default', '2024-04-01').systemKeys.eventgrid_extension}'
        maxEventsPerBatch: 1
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: ['Microsoft.Storage.BlobCreated']
      subjectBeginsWith: '/blobServices/default/containers/${l.container}/blobs/${empty(l.folder) ? '' : '${l.folder}/'}'
    }
    // Azure's defaults, stated: a day of retries on its backoff schedule.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}]
