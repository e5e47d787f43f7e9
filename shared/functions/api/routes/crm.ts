import type { App } from '../../../http/context.ts';
import { registerCrmChannelsCreate } from './crm-channels-create.ts';
import { registerCrmChannelsDelete } from './crm-channels-delete.ts';
import { registerCrmChannelsList } from './crm-channels-list.ts';
import { registerCrmChannelsUpdate } from './crm-channels-update.ts';
import { registerCrmClassifierGet } from './crm-classifier-get.ts';
import { registerCrmClassifierUpdate } from './crm-classifier-update.ts';
import { registerCrmClientsCreate } from './crm-clients-create.ts';
import { registerCrmClientsDelete } from './crm-clients-delete.ts';
import { registerCrmClientsGet } from './crm-clients-get.ts';
import { registerCrmClientsList } from './crm-clients-list.ts';
import { registerCrmClientsTimeline } from './crm-clients-timeline.ts';
import { registerCrmClientsUpdate } from './crm-clients-update.ts';
import { registerCrmMessagesSend } from './crm-messages-send.ts';
import { registerCrmTemplatesCreate } from './crm-templates-create.ts';
import { registerCrmTemplatesDelete } from './crm-templates-delete.ts';
import { registerCrmTemplatesGet } from './crm-templates-get.ts';
import { registerCrmTemplatesList } from './crm-templates-list.ts';
import { registerCrmTemplatesUpdate } from './crm-templates-update.ts';

/** Every route of a project's CRM: channels, clients, their timeline and messages, templates. */
export function registerCrmRoutes(app: App): void {
  registerCrmChannelsCreate(app);
  registerCrmChannelsList(app);
  registerCrmChannelsUpdate(app);
  registerCrmChannelsDelete(app);
  registerCrmClientsCreate(app);
  registerCrmClientsList(app);
  registerCrmClientsGet(app);
  registerCrmClientsUpdate(app);
  registerCrmClientsDelete(app);
  registerCrmClientsTimeline(app);
  registerCrmMessagesSend(app);
  registerCrmTemplatesCreate(app);
  registerCrmTemplatesList(app);
  registerCrmTemplatesGet(app);
  registerCrmTemplatesUpdate(app);
  registerCrmTemplatesDelete(app);
  registerCrmClassifierGet(app);
  registerCrmClassifierUpdate(app);
}
