import type { ServiceRecord } from './ServiceStore';

/** Where a service's map is served: the XYZ template (literal braces, for web maps to fill in) or the WMTS endpoint. */
export function serviceUrl(service: Pick<ServiceRecord, 'id' | 'type'>, publicUrl: string): string {
  const base = `${publicUrl}/services/${service.id}`;
  return service.type === 'WMTS' ? `${base}/wmts` : `${base}/tiles/{z}/{x}/{y}`;
}

/** A service as GET /services lists it (`full`: as GET /services/{id} describes it, with its process). */
export function serviceDocument(service: ServiceRecord, publicUrl: string, full: boolean): Record<string, unknown> {
  return {
    id: service.id,
    ...(service.title !== null ? { title: service.title } : {}),
    ...(service.description !== null ? { description: service.description } : {}),
    url: serviceUrl(service, publicUrl),
    type: service.type,
    enabled: service.enabled,
    configuration: service.configuration,
    created: service.created,
    log_level: service.logLevel,
    ...(full ? { process: service.process, attributes: {} } : {}),
  };
}
