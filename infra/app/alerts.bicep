// Scheduled query alert rules over Application Insights. The KQL lives in
// infra/monitoring/alerts/*.kql (runnable as-is in Logs); the thresholds that are parameters here
// replace the `let` line at the top of the file, which test/infra/drift.test.ts checks exists.
param namePrefix string
param location string
@description('Resource tags: names and string values, as azd passes them.')
param tags { *: string } = {}
param applicationInsightsId string
@description('Email for alert notifications; empty to create the rules without an action group.')
param alertEmail string = ''
@description('Alert when an endpoint has had no successful run for this many days.')
param staleAfterDays int = 8
@description('Alert when an endpoint\'s last K runs were all rejected by the gate.')
param rejectedInARow int = 3
@description('How far back the rejected-in-a-row rule looks for the last K runs, in days.')
param rejectedLookbackDays int = 30

var scheduledRunFailedQuery = loadTextContent('../monitoring/alerts/scheduled-run-failed.kql')
var noSuccessfulRunQuery = replace(loadTextContent('../monitoring/alerts/no-successful-run.kql'), 'let lookbackDays = 8;', 'let lookbackDays = ${staleAfterDays};')
var rejectedInARowQuery = replace(loadTextContent('../monitoring/alerts/rejected-in-a-row.kql'), 'let rejectedInARow = 3;', 'let rejectedInARow = ${rejectedInARow};')

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
    description: 'An endpoint was started but has not completed a run (RetrainCompleted) within the lookback, or no run started at all.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'P1D'
    windowSize: 'P1D'
    overrideQueryTimeRange: 'P${staleAfterDays}D'
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
    description: 'The last runs of an endpoint were all rejected by the gate: the data or the gate needs a look.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'P1D'
    windowSize: 'P1D'
    overrideQueryTimeRange: 'P${rejectedLookbackDays}D'
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
