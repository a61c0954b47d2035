/** Shopify channel connector: webhook signature check, pure mapping to canonical messages, the HTTP route. */
export { SHOPIFY_HMAC_HEADER, shopifyHmac, verifyShopifyHmac } from './verify.js';
export { SHOPIFY_TOPICS, isShopifyTopic, mapShopifyWebhook, type ShopifyTopic } from './map.js';
export { DEFAULT_SHOPIFY_MAPPING, SHOPIFY_CHANNEL, ShopifyMappingSchema, parseShopifyMapping, type ShopifyMapping } from './mapping.js';
export type { ShopifyMapResult } from './result.js';
export type { ShopifyIssue, ShopifyIssueCode } from './read.js';
export { parseMinor } from './money.js';
export { SHOPIFY_WEBHOOK_PATH, shopifyWebhookRoutes, type ShopifyMessageResult, type ShopifyWebhookDeps } from './routes.js';
