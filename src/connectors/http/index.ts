/** HTTP/JSON connector, its request templates, and signed webhooks (docs/connectors/http.md). */
export { createHttpConnector, stripPii, type HttpConnectorDeps } from './httpConnector.js';
export {
  ConnectorConfigError, httpConnectorConfigSchema, loadHttpConnectorConfig,
  type HttpConnectorConfig, type HttpConnectorConfigInput, type LoadedHttpConnectorConfig,
} from './httpConnectorConfig.js';
export { classifyResponse, classifyStatusAnswer, classifyTransportFailure, describeFetchFailure, parseRetryAfter, type HttpAnswer, type TransportFailure } from './classify.js';
export { compileRequestTemplate, renderRequest, TemplateRenderError, type RequestTemplate, type JsonValue } from './template.js';
export { MESSAGE_SHAPES, OUTBOUND_MESSAGE_TYPES } from './messageShapes.js';
export { signWebhook, verifyWebhookSignature, type SignatureVerdict, type WebhookSecret } from './webhook.js';
export { connectorWebhookRoutes, webhookBodySchema, type ConnectorWebhookOptions, type WebhookConnector, type WebhookTranslation } from './connectorWebhookRoutes.js';
