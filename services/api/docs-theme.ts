/**
 * Swagger UI at /docs, made to pass axe-core as every page of the app does: no top bar (its logo
 * has no text alternative and its URL box no label; the app serves one document anyway), no deep
 * links (a link inside each operation's toggle button is a control nested in a control), and the
 * colours darkened where the stock theme's contrast is under WCAG AA's 4.5:1.
 */
export const DOCS_UI_CONFIG = { validatorUrl: null, layout: 'BaseLayout', deepLinking: false } as const;

export const DOCS_THEME_CSS = `
.swagger-ui .info .title small { background: #4a5160; }
.swagger-ui .info .title small.version-stamp { background: #1b6e34; }
.swagger-ui .info .title small pre { color: #fff; }
.swagger-ui .info .base-url, .swagger-ui .info a.link, .swagger-ui .info .url { color: #1d2430; }
.swagger-ui .opblock .opblock-summary-method { color: #fff; text-shadow: none; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #0b57d0; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1b6e34; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #8a5a00; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b42318; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #0f6b5f; }
.swagger-ui .opblock .opblock-summary-description { color: #1d2430; }
.swagger-ui .opblock-tag small { color: #1d2430; }
`;
