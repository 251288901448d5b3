/** JSON Schema of config.json; ajv checks the file against it before the server starts. */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['port', 'dataDir', 'logLevel'],
  properties: {
    $comment: { type: 'string' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    publicUrl: { type: ['string', 'null'], pattern: '^(https?://[^\\s]+)?$' },
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
        syncConcurrentPerUser: { type: 'integer', minimum: 1 },
        jobsPerUser: { type: 'integer', minimum: 1 },
      },
    },
    processing: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tileSize: { type: 'integer', minimum: 16, maximum: 4096 },
        gdalCacheMb: { type: 'integer', minimum: 16 },
        threads: { type: 'integer', minimum: 0, maximum: 256 },
      },
    },
    udf: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        memoryMegabytes: { type: 'integer', minimum: 256 },
        cpuSeconds: { type: 'integer', minimum: 1 },
        timeoutSeconds: { type: 'integer', minimum: 1 },
      },
    },
    jobs: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxConcurrent: { type: ['integer', 'null'], minimum: 1 },
        maxRunSeconds: { type: 'number', exclusiveMinimum: 0 },
        maxMemoryMb: { type: 'integer', minimum: 64 },
        resultRetentionDays: { type: 'number', minimum: 0 },
        resultLinkSeconds: { type: 'integer', minimum: 1 },
        onRestart: { enum: ['error', 'requeue'] },
        runner: { enum: ['local', 'bullmq'] },
        blockRows: { type: 'integer', minimum: 16 },
        bullmq: {
          type: 'object',
          additionalProperties: false,
          properties: {
            redisUrl: { type: ['string', 'null'], pattern: '^rediss?://' },
            prefix: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
            lockSeconds: { type: 'number', minimum: 1 },
            workerConcurrency: { type: ['integer', 'null'], minimum: 1 },
          },
        },
      },
    },
    services: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxPerUser: { type: 'integer', minimum: 1 },
        tileConcurrency: { type: 'integer', minimum: 1 },
        tileTimeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
        cacheMegabytes: { type: 'number', minimum: 0 },
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
              type: { enum: ['folder', 'stac', 'sentinel2', 'landsat'] },
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
    oidc: {
      type: 'object',
      additionalProperties: false,
      properties: {
        providers: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'issuer', 'title', 'access'],
            additionalProperties: false,
            properties: {
              // The id becomes part of Bearer tokens (`oidc/<id>/...`), so the API limits it to word characters.
              id: { type: 'string', pattern: '^[A-Za-z0-9_]{1,20}$' },
              // Discovery appends `/.well-known/openid-configuration`; the API forbids a trailing slash.
              issuer: { type: 'string', pattern: '^https?://[^\\s]*[^/\\s]$' },
              title: { type: 'string', minLength: 1 },
              description: { type: 'string' },
              scopes: { type: 'array', items: { type: 'string', minLength: 1 }, contains: { const: 'openid' }, uniqueItems: true },
              default_clients: {
                type: 'array',
                uniqueItems: true,
                items: {
                  type: 'object',
                  required: ['id', 'grant_types'],
                  additionalProperties: false,
                  properties: {
                    id: { type: 'string', minLength: 1 },
                    grant_types: {
                      type: 'array',
                      minItems: 1,
                      uniqueItems: true,
                      items: {
                        enum: [
                          'implicit',
                          'authorization_code',
                          'authorization_code+pkce',
                          'urn:ietf:params:oauth:grant-type:device_code',
                          'urn:ietf:params:oauth:grant-type:device_code+pkce',
                          'refresh_token',
                        ],
                      },
                    },
                    redirect_urls: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]+$' } },
                  },
                },
              },
              audience: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
              access: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  open: { type: 'boolean' },
                  emailDomains: { type: 'array', items: { type: 'string', pattern: '^[^@\\s]+$' } },
                  entitlements: { type: 'array', items: { type: 'string', minLength: 1 } },
                  subjects: { type: 'array', items: { type: 'string', minLength: 1 } },
                  emails: { type: 'array', items: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' } },
                },
                // Refuse a provider that would let nobody in: say `open: true` or list who may sign in.
                anyOf: [
                  { required: ['open'], properties: { open: { const: true } } },
                  { required: ['emailDomains'], properties: { emailDomains: { minItems: 1 } } },
                  { required: ['entitlements'], properties: { entitlements: { minItems: 1 } } },
                  { required: ['subjects'], properties: { subjects: { minItems: 1 } } },
                  { required: ['emails'], properties: { emails: { minItems: 1 } } },
                ],
              },
            },
          },
        },
        requestTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 60 },
        clockSkewSeconds: { type: 'integer', minimum: 0, maximum: 600 },
        metadataRefreshSeconds: { type: 'integer', minimum: 60 },
        jwksMinRefreshSeconds: { type: 'integer', minimum: 0 },
        userinfoCacheSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
        retryAfterFailureSeconds: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;
