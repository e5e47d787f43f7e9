/**
 * An error as Supabase Storage renders it: `{statusCode, code, error, message}` with
 * `statusCode` a string. As the real server does, the HTTP status is 400 for every 4xx
 * error (the real one is in `statusCode`), unless the route says otherwise.
 */
export class StorageError extends Error {
  /** The status the server means (`statusCode` in the body). */
  readonly status: number;
  readonly code: string;
  /** The legacy `error` field; the code when absent. */
  readonly error: string | undefined;
  httpStatus: number;

  constructor(opts: { status: number; code: string; message: string; error?: string }) {
    super(opts.message);
    this.status = opts.status;
    this.code = opts.code;
    this.error = opts.error;
    this.httpStatus = opts.status >= 500 ? opts.status : 400;
  }

  /** Sends the real status instead of 400, as a few routes do (role checks, ranges). */
  withHttpStatus(status: number): this {
    this.httpStatus = status;
    return this;
  }

  body(): { statusCode: string; code: string; error: string; message: string } {
    return {
      statusCode: String(this.status),
      code: this.code,
      error: this.error ?? this.code,
      message: this.message,
    };
  }
}

const e = (status: number, code: string, message: string, error?: string) =>
  new StorageError({ status, code, message, error });

/** The errors the emulated routes raise, named, coded and worded as in supabase/storage. */
export const ERRORS = {
  noSuchBucket: () => e(404, 'NoSuchBucket', 'Bucket not found', 'Bucket not found'),
  noSuchKey: () => e(404, 'NoSuchKey', 'Object not found', 'not_found'),
  bucketNotEmpty: () => e(409, 'ResourceNotEmpty', 'The bucket you tried to delete is not empty'),
  accessDenied: (message = 'Access denied') => e(403, 'AccessDenied', message, 'Unauthorized'),
  invalidJwt: (message = 'Invalid JWT') => e(400, 'InvalidJWT', message),
  resourceAlreadyExists: () =>
    e(409, 'ResourceAlreadyExists', 'The resource already exists', 'Duplicate'),
  keyAlreadyExists: () => e(409, 'KeyAlreadyExists', 'The resource already exists', 'Duplicate'),
  bucketAlreadyExists: () =>
    e(409, 'BucketAlreadyExists', 'The resource already exists', 'Duplicate'),
  invalidBucketName: () => e(400, 'InvalidBucketName', 'Bucket name invalid', 'Invalid Input'),
  invalidKey: (key: string) => e(400, 'InvalidKey', `Invalid key: ${key}`),
  invalidMimeType: (mime: string) =>
    e(415, 'InvalidMimeType', `mime type ${mime} is not supported`, 'invalid_mime_type'),
  entityTooLarge: (entity = 'object') =>
    e(
      413,
      'EntityTooLarge',
      `The ${entity} exceeded the maximum allowed size`,
      'Payload too large',
    ),
  invalidParameter: (name: string) => e(400, 'InvalidParameter', `Invalid Parameter ${name}`),
  invalidRequest: (message: string) => e(400, 'InvalidRequest', message),
  noContentProvided: () => e(400, 'InvalidRequest', 'No content provided'),
  invalidFileSizeLimit: () =>
    e(400, 'InvalidRequest', 'Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B'),
  invalidSignature: (message = 'Invalid signature') => e(400, 'InvalidSignature', message),
  invalidRange: () =>
    e(416, 'InvalidRange', 'invalid range provided', 'invalid_range').withHttpStatus(416),
  featureNotEnabled: (feature: string) =>
    e(409, 'FeatureNotEnabled', `The feature ${feature} is not enabled for this resource`),
  relatedResourceNotFound: () => e(404, 'InvalidRequest', 'The related resource does not exist'),
  resourceReferenced: () =>
    e(
      409,
      'ResourceReferenced',
      'The resource could not be updated or removed due to a foreign key constraint',
    ),
  /** A request that fails the route's schema, worded as Fastify's validator words it. */
  validation: (message: string) => e(400, 'InvalidRequest', message, 'FastifyError'),
  databaseError: (sqlState: string) => e(500, 'DatabaseError', `database error, code: ${sqlState}`),
  internal: () => e(500, 'InternalError', 'Internal Server Error', 'Internal'),
};

/** The answer to an unknown path, as the server's REST not-found handler gives it. */
export function routeNotFound(method: string, path: string): Response {
  return Response.json(
    {
      statusCode: '404',
      error: 'Not Found',
      message: `Route ${method}:${path} not found`,
      code: 'InvalidRequest',
    },
    { status: 404 },
  );
}

/** Renders any thrown value; anything unexpected becomes a 500 without details. */
export function renderError(err: unknown): Response {
  const known = err instanceof StorageError ? err : ERRORS.internal();
  return Response.json(known.body(), { status: known.httpStatus });
}
