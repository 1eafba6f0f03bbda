// The Azure Bot registration and its Teams channel. Teams posts every activity to the messaging
// endpoint, https://<web app>/api/messages; the App Service spreads them over its instances.

param name string
param displayName string
@description('Messaging endpoint: https://<host>/api/messages.')
param endpoint string
@allowed([
  'SingleTenant'
  'UserAssignedMSI'
])
param msaAppType string
@description('App id of the bot: the Entra app (SingleTenant) or the managed identity\'s client id (UserAssignedMSI).')
param msaAppId string
param msaAppTenantId string
@description('Resource id of the user-assigned managed identity; used with UserAssignedMSI only.')
param msaAppMSIResourceId string
@description('F0 (free) or S1. Messages on the Teams channel are free on either.')
param sku string = 'F0'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: endpoint
    msaAppType: msaAppType
    msaAppId: msaAppId
    msaAppTenantId: msaAppTenantId
    msaAppMSIResourceId: msaAppType == 'UserAssignedMSI' ? msaAppMSIResourceId : null
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      acceptedTerms: true
      deploymentEnvironment: 'CommercialDeployment'
    }
  }
}

output id string = bot.id
