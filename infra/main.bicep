// The Service Account Bot on Azure: an App Service (Linux, Node 22) running several instances of the
// bot, the Azure Bot registration with its Teams channel, one storage account the instances share
// (records in a Blob container, jobs in a Table), a Key Vault for the secrets, and optionally
// Application Insights. A user-assigned managed identity reaches storage and Key Vault (and, with
// botType UserAssignedMsi, is the bot's own identity towards Bot Framework).
//
// Deployed by `atk provision --env <name>` (m365agents.yml, arm/deploy, parameters from
// infra/main.parameters.json) or by `az deployment group create` (README, "Deploying to Azure").
// Every app setting below is one the bot documents (src/config/settings.ts), or an App Service one
// (WEBSITE_*, SCM_*).

@minLength(3)
@maxLength(20)
@description('Base of the resource names, e.g. sab-dev. Letters, digits and hyphens.')
param resourceBaseName string

param location string = resourceGroup().location

@description('App Service plan SKU. One that runs several instances: P0v3, P1v3, S1 (not F1 or B1 for production).')
param appServiceSku string = 'P0v3'

@minValue(1)
@maxValue(30)
@description('How many instances of the bot run at once.')
param capacity int = 2

@allowed([
  'SingleTenant'
  'UserAssignedMsi'
])
@description('How the bot authenticates to Bot Framework (BOT_TYPE): its own Entra app with a secret, or the managed identity.')
param botType string = 'SingleTenant'

@description('SingleTenant: the app id of the bot\'s Entra app (BOT_ID). Ignored for UserAssignedMsi.')
param botAppId string = ''

@secure()
@description('SingleTenant: the client secret of that app (SECRET_BOT_PASSWORD). Empty for UserAssignedMsi.')
param botPassword string = ''

@description('Tenant of the bot registration (BOT_TENANT_ID). Empty: the tenant of this subscription.')
param botTenantId string = ''

@maxLength(42)
param botDisplayName string = 'Service Account Bot'

@description('F0 or S1. The Teams channel is free on either.')
param botServiceSku string = 'F0'

@description('Teams app id (TEAMS_APP_ID), for install links. May be empty.')
param teamsAppId string = ''

@description('Tenant to provision the service account in (AAD_APP_TENANT_ID): a GUID or contoso.onmicrosoft.com.')
param tenantId string

@allowed([
  'secret'
  'managedIdentity'
])
@description('How the bot signs in to Graph and Exchange Online (AAD_APP_CREDENTIAL): the Entra app\'s client secret, or the managed identity (which then needs the Graph and Exchange permissions itself).')
param graphCredential string = 'secret'

@description('secret: the Entra app that calls Graph and Exchange Online (AAD_APP_CLIENT_ID). Ignored for managedIdentity.')
param graphAppClientId string = ''

@secure()
@description('secret: that app\'s client secret (SECRET_AAD_APP_CLIENT_SECRET), stored in Key Vault.')
param graphAppClientSecret string = ''

@secure()
@description('Base64 of 32 random bytes (openssl rand -base64 32) that seals passwords at rest; stored in Key Vault. Keep the same value on every deployment.')
param dataEncryptionKey string

@description('Blob container for the bot records (AZURE_STORAGE_CONTAINER).')
param storageContainer string = 'service-account-bot'

@description('Table for the jobs (AZURE_STORAGE_TABLE).')
param storageTable string = 'serviceaccountbotjobs'

@description('Also allow account keys on the storage account. Off: Entra ID (the managed identity) only.')
param allowSharedKeyAccess bool = false

@description('Create Application Insights and a Log Analytics workspace and send telemetry there.')
param enableTelemetry bool = true

@description('Optional: object id of the Entra group whose members may ask (REQUESTER_GROUP_ID).')
param requesterGroupId string = ''

@description('Optional: Teams channel id for approval cards (APPROVALS_CHANNEL_ID).')
param approvalsChannelId string = ''

@description('Optional: object id of the Entra group that decides in that channel (APPROVER_GROUP_ID).')
param approverGroupId string = ''

var suffix = uniqueString(resourceGroup().id, resourceBaseName)
var compactBase = toLower(replace(resourceBaseName, '-', ''))
var webAppName = '${resourceBaseName}-${take(suffix, 6)}'
var storageAccountName = take('st${compactBase}${suffix}', 24)
var keyVaultName = take('kv${compactBase}${suffix}', 24)
var managedIdentityBot = botType == 'UserAssignedMsi'
var botTenant = empty(botTenantId) ? subscription().tenantId : botTenantId

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-identity'
  location: location
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    containerName: storageContainer
    tableName: storageTable
    principalId: identity.properties.principalId
    allowSharedKeyAccess: allowSharedKeyAccess
  }
}

module vault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    name: keyVaultName
    location: location
    principalId: identity.properties.principalId
    dataEncryptionKey: dataEncryptionKey
    botPassword: managedIdentityBot ? '' : botPassword
    aadAppClientSecret: graphCredential == 'secret' ? graphAppClientSecret : ''
  }
}

module monitoring 'modules/monitoring.bicep' = if (enableTelemetry) {
  name: 'monitoring'
  params: {
    baseName: resourceBaseName
    location: location
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan'
  location: location
  kind: 'linux'
  sku: {
    name: appServiceSku
    capacity: capacity
  }
  properties: {
    reserved: true
  }
}

var botSettings = managedIdentityBot ? [
  {
    name: 'BOT_ID'
    value: identity.properties.clientId
  }
  {
    name: 'BOT_TYPE'
    value: 'UserAssignedMsi'
  }
  {
    name: 'BOT_TENANT_ID'
    value: identity.properties.tenantId
  }
] : [
  {
    name: 'BOT_ID'
    value: botAppId
  }
  {
    name: 'BOT_TYPE'
    value: 'SingleTenant'
  }
  {
    name: 'BOT_TENANT_ID'
    value: botTenant
  }
  {
    name: 'BOT_PASSWORD'
    value: '@Microsoft.KeyVault(SecretUri=${vault.outputs.botPasswordUri})'
  }
]

var graphSettings = graphCredential == 'secret' ? [
  {
    name: 'AAD_APP_CREDENTIAL'
    value: 'secret'
  }
  {
    name: 'AAD_APP_CLIENT_ID'
    value: graphAppClientId
  }
  {
    name: 'AAD_APP_CLIENT_SECRET'
    value: '@Microsoft.KeyVault(SecretUri=${vault.outputs.aadAppClientSecretUri})'
  }
] : [
  {
    name: 'AAD_APP_CREDENTIAL'
    value: 'managedIdentity'
  }
  {
    // User-assigned: the bot signs in to Graph and Exchange as this identity.
    name: 'AAD_APP_CLIENT_ID'
    value: identity.properties.clientId
  }
]

var tenantSettings = [
  {
    name: 'TENANT_MODE'
    value: 'live'
  }
  {
    name: 'AAD_APP_TENANT_ID'
    value: tenantId
  }
  {
    name: 'TEAMS_APP_ID'
    value: teamsAppId
  }
]

var storageSettings = [
  {
    name: 'STORAGE'
    value: 'azure'
  }
  {
    name: 'AZURE_STORAGE_ACCOUNT_URL'
    value: storage.outputs.blobUrl
  }
  {
    name: 'AZURE_STORAGE_TABLE_URL'
    value: storage.outputs.tableUrl
  }
  {
    name: 'AZURE_STORAGE_CONTAINER'
    value: storageContainer
  }
  {
    name: 'AZURE_STORAGE_TABLE'
    value: storageTable
  }
  {
    // The managed identity DefaultAzureCredential uses for storage (and Key Vault, when asked).
    name: 'AZURE_CLIENT_ID'
    value: identity.properties.clientId
  }
  {
    name: 'DATA_ENCRYPTION_KEY'
    value: '@Microsoft.KeyVault(SecretUri=${vault.outputs.dataEncryptionKeyUri})'
  }
]

var telemetrySettings = enableTelemetry ? [
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: monitoring.outputs.connectionString
  }
] : []

var requesterSettings = empty(requesterGroupId) ? [] : [
  {
    name: 'REQUESTER_GROUP_ID'
    value: requesterGroupId
  }
]

var approvalsChannelSettings = empty(approvalsChannelId) ? [] : [
  {
    name: 'APPROVALS_CHANNEL_ID'
    value: approvalsChannelId
  }
]

var approverGroupSettings = empty(approverGroupId) ? [] : [
  {
    name: 'APPROVER_GROUP_ID'
    value: approverGroupId
  }
]

var appServiceSettings = [
  {
    // Read on Windows plans; this Linux plan runs linuxFxVersion (NODE|22-lts) below.
    name: 'WEBSITE_NODE_DEFAULT_VERSION'
    value: '~22'
  }
  {
    // The zip is already built (dist/ and production node_modules): no build on the server.
    name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
    value: 'false'
  }
  {
    // Every instance runs the same read-only package; a deployment swaps it whole.
    name: 'WEBSITE_RUN_FROM_PACKAGE'
    value: '1'
  }
  {
    // Consecutive failed /readyz pings (one a minute) before an instance leaves the load balancer.
    name: 'WEBSITE_HEALTHCHECK_MAXPINGFAILURES'
    value: '3'
  }
]

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    // App Service resolves the @Microsoft.KeyVault(...) settings with this identity.
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      appCommandLine: 'node --disable-warning=DEP0111 dist/src/index.js'
      alwaysOn: true
      healthCheckPath: '/readyz'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(botSettings, tenantSettings, graphSettings, storageSettings, telemetrySettings, requesterSettings, approvalsChannelSettings, approverGroupSettings, appServiceSettings)
    }
  }
}

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    name: '${resourceBaseName}-bot-${take(suffix, 6)}'
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppType: managedIdentityBot ? 'UserAssignedMSI' : 'SingleTenant'
    msaAppId: managedIdentityBot ? identity.properties.clientId : botAppId
    msaAppTenantId: managedIdentityBot ? identity.properties.tenantId : botTenant
    msaAppMSIResourceId: identity.id
    sku: botServiceSku
  }
}

// Written back to env/.env.<name> by `atk provision` (arm/deploy).
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output BOT_ID string = managedIdentityBot ? identity.properties.clientId : botAppId
output AZURE_STORAGE_ACCOUNT_URL string = storage.outputs.blobUrl
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
