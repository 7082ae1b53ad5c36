// Scheduled query alert rules over Application Insights. The KQL lives in
// infra/monitoring/alerts/*.kql (runnable as-is in Logs); the thresholds that are parameters here
// replace the `let` line at the top of the file, which test/infra/drift.test.ts checks exists.
// A log alert's query time range is at most two days, so nothing here looks further back: the
// day counts and the rejection streak come from the app's hourly EndpointHealth report.
param namePrefix string
param location string
@description('Resource tags: names and string values, as azd passes them.')
param tags { *: string } = {}
param applicationInsightsId string
@description('Email for alert notifications; empty to create the rules without an action group.')
param alertEmail string = ''
@description('Alert when an endpoint has had no successful run for this many days.')
@minValue(1)
param staleAfterDays int = 8
@description('Alert when an endpoint\'s last K runs were all rejected by the gate.')
@minValue(1)
param rejectedInARow int = 3

var scheduledRunFailedQuery = loadTextContent('../monitoring/alerts/scheduled-run-failed.kql')
var noSuccessfulRunQuery = replace(loadTextContent('../monitoring/alerts/no-successful-run.kql'), 'let staleAfterDays = 8;', 'let staleAfterDays = ${staleAfterDays};')
var rejectedInARowQuery = replace(loadTextContent('../monitoring/alerts/rejected-in-a-row.kql'), 'let rejectedInARow = 3;', 'let rejectedInARow = ${rejectedInARow};')
var healthReportsStoppedQuery = loadTextContent('../monitoring/alerts/health-reports-stopped.kql')

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: '${namePrefix}-ag'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'retrainer'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroupIds = empty(alertEmail) ? [] : [actionGroup.id]

resource scheduledRunFailed 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-scheduled-run-failed'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Retrainer: a scheduled run failed'
    description: 'A RetrainFailed event with trigger=schedule. See the run id and reason in the alert results.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: scheduledRunFailedQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: {
      actionGroups: actionGroupIds
    }
  }
}

resource noSuccessfulRun 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-no-successful-run'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Retrainer: no successful run for an endpoint in ${staleAfterDays} days'
    description: 'The latest hourly health report of an endpoint (EndpointHealth) says no run reached a gate decision for ${staleAfterDays} days, or none ran since the app began watching it.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT2H'
    criteria: {
      allOf: [
        {
          query: noSuccessfulRunQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: actionGroupIds
    }
  }
}

resource rejectedRepeatedly 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-rejected-in-a-row'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Retrainer: model rejected ${rejectedInARow} times in a row'
    description: 'The latest hourly health report of an endpoint (EndpointHealth) says its last ${rejectedInARow} finished retrains were all rejected by the gate: the data or the gate needs a look.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT2H'
    criteria: {
      allOf: [
        {
          query: rejectedInARowQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: actionGroupIds
    }
  }
}

resource healthReportsStopped 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-health-reports-stopped'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Retrainer: the app stopped reporting endpoint health'
    description: 'No EndpointHealth event for 3 hours although the app reports every hour: it is down, cannot start, or cannot read its run history. The other health rules are blind meanwhile.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT3H'
    criteria: {
      allOf: [
        {
          query: healthReportsStoppedQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: actionGroupIds
    }
  }
}
