import type express from 'express';

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Express adds `; charset=utf-8` to every JSON media type it sets and to every text body it
 * sends; strict validators (the openEO test suite among them) refuse that on JSON, whose
 * encoding is UTF-8 by definition. JSON bodies therefore leave as bytes under the bare type.
 */
export function sendJsonWithoutCharset(app: express.Express): void {
  const send = app.response.send;
  app.response.send = function (this: express.Response, body?: unknown) {
    const type = this.get('Content-Type');
    if (typeof body !== 'string' || typeof type !== 'string' || !JSON_TYPE.test(type)) return send.call(this, body);
    this.setHeader('Content-Type', type.replace(/\s*;\s*charset=utf-8\s*$/i, ''));
    return send.call(this, Buffer.from(body, 'utf8'));
  };
}
