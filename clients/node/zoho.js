// The Zoho CRM Node SDK's TokenStore over the agent; importing it loads
// @zohocrm/nodejs-sdk-8.0.
export { AgentTokenStore, toWire, fromWire } from "./src/store.js";
