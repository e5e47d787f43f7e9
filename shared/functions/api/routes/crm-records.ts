import type { App } from '../../../http/context.ts';
import { registerCrmAnalyticsClients } from './crm-analytics-clients.ts';
import { registerCrmAnalyticsDocuments } from './crm-analytics-documents.ts';
import { registerCrmAnalyticsMessages } from './crm-analytics-messages.ts';
import { registerCrmAnalyticsResponseTimes } from './crm-analytics-response-times.ts';
import { registerCrmClientsAuditLog } from './crm-clients-audit-log.ts';
import { registerCrmClientsErase } from './crm-clients-erase.ts';
import { registerCrmClientsExport } from './crm-clients-export.ts';
import { registerCrmDocumentsDelete } from './crm-documents-delete.ts';
import { registerCrmDocumentsLink } from './crm-documents-link.ts';
import { registerCrmDocumentsList } from './crm-documents-list.ts';
import { registerCrmDocumentsUpdate } from './crm-documents-update.ts';
import { DOCUMENT_BODY_LIMIT, registerCrmDocumentsUpload } from './crm-documents-upload.ts';
import { IMPORT_BODY_LIMIT, registerCrmImportsCreate } from './crm-imports-create.ts';
import { registerCrmImportsGet } from './crm-imports-get.ts';

/** The routes that take files, and the body limits that apply to them (createApp's `largeBodies`). */
export const CRM_LARGE_BODIES = [
  { path: /^\/projects\/[^/]+\/clients\/[^/]+\/documents$/, bytes: DOCUMENT_BODY_LIMIT },
  { path: /^\/projects\/[^/]+\/imports$/, bytes: IMPORT_BODY_LIMIT },
];

/** A client's documents, CSV imports, analytics and the GDPR routes (export, access log, erase). */
export function registerCrmRecordRoutes(app: App): void {
  registerCrmDocumentsUpload(app);
  registerCrmDocumentsList(app);
  registerCrmDocumentsLink(app);
  registerCrmDocumentsUpdate(app);
  registerCrmDocumentsDelete(app);
  registerCrmImportsCreate(app);
  registerCrmImportsGet(app);
  registerCrmAnalyticsClients(app);
  registerCrmAnalyticsMessages(app);
  registerCrmAnalyticsDocuments(app);
  registerCrmAnalyticsResponseTimes(app);
  registerCrmClientsAuditLog(app);
  registerCrmClientsExport(app);
  registerCrmClientsErase(app);
}
