/**
 * The openEO error codes we use, with the HTTP status the API 1.2 error table assigns
 * to each and a message template of our own wording. `{name}` placeholders are filled
 * from the details passed to OpenEOError.
 */
export interface ErrorSpec {
  status: number;
  message: string;
}

export const ERROR_CODES = {
  Internal: { status: 500, message: 'The server failed unexpectedly: {message}' },
  NotFound: { status: 404, message: 'There is nothing at this address.' },
  MethodNotAllowed: { status: 405, message: 'The method {method} is not available for {path}; allowed: {allowed}.' },
  FeatureUnsupported: { status: 501, message: 'This back-end does not offer that feature.' },
  InfrastructureBusy: { status: 503, message: 'The server is busy; please try again in a moment.' },
  UnsupportedApiVersion: { status: 404, message: "API version '{version}' is not served here." },
  RequestTimeout: { status: 408, message: 'The request took longer than the allowed {seconds} seconds.' },
  BadRequest: { status: 400, message: 'The request could not be read: {reason}' },
  PayloadTooLarge: { status: 413, message: 'The request body is larger than the allowed {limit}.' },
  TooManyRequests: { status: 429, message: '{reason}' },
  NoDataForUpdate: { status: 400, message: 'The request contains nothing to update.' },
  PropertyNotEditable: { status: 400, message: "Property '{property}' cannot be changed." },
  CollectionNotFound: { status: 404, message: "There is no collection '{identifier}'." },
  StorageFailure: { status: 500, message: 'Files could not be stored because of a server problem.' },
  StorageQuotaExceeded: { status: 400, message: 'This would exceed your storage quota.' },
  FileNotFound: { status: 404, message: "There is no file '{file}'." },
  RangeNotSatisfiable: { status: 416, message: 'The requested byte range lies outside the file, which has {size} bytes.' },
  FilePathInvalid: { status: 400, message: 'The file path is not allowed: {reason}' },
  FileOperationUnsupported: { status: 400, message: 'This operation is not possible on this path.' },
  FolderOperationUnsupported: { status: 400, message: 'This operation works on files only, not on folders.' },
  ContentTypeInvalid: { status: 400, message: 'Unsupported media type. Send one of: {types}' },
  FileTypeInvalid: { status: 400, message: 'File format {type} is not allowed. Allowed: {types}' },
  FileSizeExceeded: { status: 400, message: 'The file is too large; the maximum is {size}.' },
  FileContentInvalid: { status: 400, message: 'The file content is not valid: {reason}' },
  FileLocked: { status: 400, message: "File '{file}' is being used by another operation." },
  ProcessGraphNotFound: { status: 404, message: "There is no user-defined process '{identifier}'." },
  ProcessInvalid: { status: 400, message: 'The process is not valid: {reason}' },
  ProcessGraphMissing: { status: 400, message: 'The request does not contain a process graph.' },
  ProcessGraphInvalid: { status: 400, message: 'The process graph is not valid: {reason}' },
  PredefinedProcessExists: { status: 400, message: "'{identifier}' is the id of a predefined process; choose another id." },
  ProcessGraphComplexity: { status: 400, message: 'Too much to compute synchronously ({reason}); run it as a batch job instead.' },
  ProcessUnsupported: { status: 400, message: "Process '{process}' is not available in namespace '{namespace}'." },
  ProcessParameterUnsupported: { status: 400, message: "Process '{process}' has no parameter '{parameter}'." },
  ProcessParameterInvalid: { status: 400, message: "Invalid value for parameter '{parameter}' of process '{process}': {reason}" },
  ProcessParameterRequired: { status: 400, message: "Process '{process}' needs a value for parameter '{parameter}'." },
  JobNotFound: { status: 404, message: "There is no batch job '{identifier}'." },
  JobLocked: { status: 400, message: 'The batch job is queued or running and cannot be changed now.' },
  JobNotFinished: { status: 400, message: 'The batch job has not finished yet.' },
  JobNotStarted: { status: 400, message: 'The batch job has not been started yet.' },
  ResultLinkExpired: { status: 410, message: 'This result link has expired; request the job results again for new links.' },
  AuthenticationRequired: { status: 401, message: 'This endpoint needs authentication.' },
  AuthenticationSchemeInvalid: { status: 403, message: 'Unsupported authentication method: {reason}' },
  TokenInvalid: { status: 403, message: 'The access token is invalid or has expired; please log in again.' },
  CredentialsInvalid: { status: 403, message: 'The user name or password is not correct.' },
  PermissionsInsufficient: { status: 403, message: 'Your account may not access this resource.' },
  ServiceUnsupported: { status: 400, message: "Service type '{type}' is not supported." },
  ServiceNotFound: { status: 404, message: "There is no service '{identifier}'." },
  ServiceConfigUnsupported: { status: 400, message: "Service type '{type}' has no configuration setting '{parameter}'." },
  ServiceConfigInvalid: { status: 400, message: "The value of the service setting '{parameter}' is invalid: {reason}" },
} satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
