// Clients of the tokenstore agent, the localhost token broker that keeps
// Zoho OAuth tokens in AWS Secrets Manager or Vault and refreshes them once
// per expiry for a whole fleet:
//   AgentClient      the agent's HTTP API (node:http only)
//   AgentTokenStore  the Zoho CRM Node SDK's TokenStore over the agent
//                    (tokenstore-agent/zoho; needs @zohocrm/nodejs-sdk-8.0)
//   the errors of src/errors.js
export { AgentClient, DEFAULT_ADDR, headerTokenFromEnv } from "./src/client.js";
export * from "./src/errors.js";
