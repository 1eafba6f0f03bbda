// The one storage account every instance shares: bot records in a Blob container, jobs in a Table.
// The app reaches it with its user-assigned managed identity (two data roles on the account), so
// shared-key access (account keys, connection strings) can stay off.

@description('Storage account name: 3–24 lower-case letters and digits, unique in Azure.')
param name string
param location string
@description('Blob container for the bot records (AZURE_STORAGE_CONTAINER).')
param containerName string
@description('Table for the jobs (AZURE_STORAGE_TABLE).')
param tableName string
@description('Principal (object) id of the managed identity that gets the Blob and Table data roles.')
param principalId string
@description('Allow account keys and connection strings as well as Entra ID. Off: Entra ID only.')
param allowSharedKeyAccess bool = false

// Built-in role definition ids.
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: allowSharedKeyAccess
    defaultToOAuthAuthentication: true
    accessTier: 'Hot'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource table 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: tableName
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: account
  name: guid(account.id, principalId, storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: account
  name: guid(account.id, principalId, storageTableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output id string = account.id
output name string = account.name
// Without a trailing slash, as AZURE_STORAGE_ACCOUNT_URL and AZURE_STORAGE_TABLE_URL expect.
output blobUrl string = 'https://${account.name}.blob.${environment().suffixes.storage}'
output tableUrl string = 'https://${account.name}.table.${environment().suffixes.storage}'
