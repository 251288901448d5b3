/** JSON Schema of config.json; ajv checks the file against it before the server starts. */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['port', 'dataDir', 'logLevel'],
  properties: {
    $comment: { type: 'string' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    publicUrl: { type: ['string', 'null'], pattern: '^https?://[^\\s]+$' },
    dataDir: { type: 'string', minLength: 1 },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    demo: { type: 'boolean' },
    production: { type: 'boolean' },
    service: {
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
        title: { type: 'string' },
        description: { type: 'string' },
        contactEmail: { type: ['string', 'null'] },
      },
    },
    cors: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowOrigin: { type: 'string', minLength: 1 },
      },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tokenLifetimeSeconds: { type: 'integer', minimum: 60 },
        maxFailedLogins: { type: 'integer', minimum: 1 },
        lockoutSeconds: { type: 'integer', minimum: 1 },
        defaultStorageQuotaBytes: { type: 'integer', minimum: 0 },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requestBodyBytes: { type: 'integer', minimum: 1024 },
        syncMaxPixels: { type: 'integer', minimum: 1 },
        syncTimeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
        graphMaxNodes: { type: 'integer', minimum: 1 },
        graphMaxDepth: { type: 'integer', minimum: 1 },
        maxUploadBytes: { type: 'integer', minimum: 0 },
      },
    },
    processing: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tileSize: { type: 'integer', minimum: 16, maximum: 4096 },
        gdalCacheMb: { type: 'integer', minimum: 16 },
      },
    },
    collections: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sources: {
          type: 'array',
          items: {
            type: 'object',
            required: ['type', 'path'],
            additionalProperties: false,
            properties: {
              type: { enum: ['folder', 'stac'] },
              path: { type: 'string', minLength: 1 },
              id: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
              pattern: { type: 'string' },
              title: { type: 'string' },
            },
          },
        },
        rescanSeconds: { type: 'number', minimum: 0 },
      },
    },
  },
} as const;
