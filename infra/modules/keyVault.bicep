// The Key Vault that holds the bot's secrets: the key that seals passwords at rest
// (DATA_ENCRYPTION_KEY), and the client secrets of the bot registration and of the Graph / Exchange
// app when those use secrets. RBAC authorization; the app's managed identity reads secrets
// ("Key Vault Secrets User") and App Service resolves the @Microsoft.KeyVault(...) references
// in the app settings with it.

@description('Key Vault name: 3–24 letters, digits and hyphens, unique in Azure.')
param name string
param location string
@description('Principal (object) id of the managed identity that gets "Key Vault Secrets User".')
param principalId string

@secure()
@description('Base64 of 32 random bytes (openssl rand -base64 32). Keep it: passwords sealed with it cannot be opened with another.')
param dataEncryptionKey string

@secure()
@description('Client secret of the bot registration (SingleTenant); empty for a user-assigned managed identity.')
param botPassword string = ''

@secure()
@description('Client secret of the Graph / Exchange Online app; empty when it uses the managed identity.')
param aadAppClientSecret string = ''

// Built-in role definition id.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The sealing key must not be purged by mistake: a lost key loses every password sealed with it.
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource encryptionKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'data-encryption-key'
  properties: {
    value: dataEncryptionKey
    contentType: 'base64 of 32 bytes'
  }
}

resource botSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(botPassword)) {
  parent: vault
  name: 'bot-password'
  properties: {
    value: botPassword
  }
}

resource graphSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(aadAppClientSecret)) {
  parent: vault
  name: 'aad-app-client-secret'
  properties: {
    value: aadAppClientSecret
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
// Version-less secret URIs: App Service picks up a new version of a secret by itself.
output dataEncryptionKeyUri string = '${vault.properties.vaultUri}secrets/data-encryption-key'
output botPasswordUri string = '${vault.properties.vaultUri}secrets/bot-password'
output aadAppClientSecretUri string = '${vault.properties.vaultUri}secrets/aad-app-client-secret'
