import type { ServerContext } from '../context';
import type { Endpoint } from '../http/router';
import type { Resource } from '../http/Resource';
import { Capabilities, Conformance, WellKnown } from './Capabilities';
import { CredentialsBasic, CredentialsOidc } from './Credentials';
import { FileFormats, ServiceTypes, UdfRuntimes } from './Discovery';
import { Me } from './Me';
import { CollectionDetails, CollectionQueryables, Collections } from './Collections';
import { JobEstimate, JobItem, JobLogs, JobResultFile, JobResults, Jobs } from './Jobs';
import { FileItem, Files } from './Files';
import { ProcessGraphItem, ProcessGraphs } from './ProcessGraphs';
import { Processes } from './Processes';
import { Validation } from './Validation';
import { Result, ResultLogs } from './Result';
import { ServiceItem, ServiceLogs, Services } from './Services';
import { CollectionPreviewTile, ServiceTile, ServiceWmts } from './ServiceTiles';

/** Every endpoint the server offers. Add a resource here and it is served and advertised. */
export function createResources(ctx: ServerContext, endpoints: () => Endpoint[]): Resource[] {
  return [
    new Capabilities(ctx, endpoints),
    new WellKnown(ctx),
    new Conformance(ctx),
    new FileFormats(ctx),
    new UdfRuntimes(ctx),
    new ServiceTypes(ctx),
    new CredentialsBasic(ctx),
    // Its answer must list at least one provider, so without any the endpoint is neither served nor advertised.
    ...(ctx.oidc.providerConfigs().length > 0 ? [new CredentialsOidc(ctx)] : []),
    new Me(ctx),
    new Collections(ctx),
    new CollectionDetails(ctx),
    new CollectionQueryables(ctx),
    new Jobs(ctx),
    new JobItem(ctx),
    new JobResults(ctx),
    new JobResultFile(ctx),
    new JobLogs(ctx),
    new JobEstimate(ctx),
    new Files(ctx),
    new FileItem(ctx),
    new ProcessGraphs(ctx),
    new ProcessGraphItem(ctx),
    new Processes(ctx),
    new Validation(ctx),
    new Result(ctx),
    new ResultLogs(ctx),
    new Services(ctx),
    new ServiceItem(ctx),
    new ServiceLogs(ctx),
    new ServiceTile(ctx),
    new ServiceWmts(ctx),
    new CollectionPreviewTile(ctx),
  ];
}
