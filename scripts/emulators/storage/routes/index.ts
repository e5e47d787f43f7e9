import type { Route } from '../router.ts';
import { createBucket } from './bucket/create.ts';
import { removeBucket } from './bucket/delete.ts';
import { emptyBucket } from './bucket/empty.ts';
import { getBucket } from './bucket/get.ts';
import { listAllBuckets } from './bucket/list.ts';
import { putBucket } from './bucket/update.ts';
import { copyObject } from './object/copy.ts';
import { removeObject, removeObjects } from './object/delete.ts';
import { downloadAuthenticated, downloadObject, downloadPublic } from './object/download.ts';
import { headAuthenticated, headObject, headPublic } from './object/head.ts';
import { infoAuthenticated, infoObject, infoPublic } from './object/info.ts';
import { listObjects } from './object/list.ts';
import { listObjectsV2 } from './object/list-v2.ts';
import { moveObject } from './object/move.ts';
import { signObject } from './object/sign.ts';
import { signObjects } from './object/sign-many.ts';
import { signedDownload } from './object/signed-download.ts';
import { uploadNew, uploadReplace } from './object/upload.ts';
import { signUpload } from './object/upload-sign.ts';
import { uploadSigned } from './object/upload-signed.ts';

/**
 * Every emulated endpoint, in match order: paths with fixed segments before the generic
 * `/object/:bucket/*`, as Storage's router prefers them. Image transformation
 * (`/render/image/…`) is absent, so it answers as Storage does with the feature off:
 * "Route … not found".
 */
export const routes: Route[] = [
  createBucket,
  listAllBuckets,
  emptyBucket,
  getBucket,
  putBucket,
  removeBucket,
  signObjects,
  signObject,
  signedDownload,
  signUpload,
  uploadSigned,
  listObjects,
  listObjectsV2,
  moveObject,
  copyObject,
  infoPublic,
  infoAuthenticated,
  infoObject,
  downloadPublic,
  headPublic,
  downloadAuthenticated,
  headAuthenticated,
  downloadObject,
  headObject,
  uploadNew,
  uploadReplace,
  removeObjects,
  removeObject,
];
