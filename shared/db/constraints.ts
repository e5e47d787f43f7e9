import type { ErrorCode } from '../errors.ts';

/** What a named constraint means to a client: the error, and the request field it guards. */
export interface ConstraintMeaning {
  code: ErrorCode;
  path?: string;
  message: string;
}

const field = (path: string, message: string): ConstraintMeaning => ({
  code: 'validation_failed',
  path,
  message,
});

/**
 * Every constraint a request can run into, by name, as the migrations define them. The one
 * error mapper (`errors.ts`) reads this table, so no route catches a database error to say
 * what it means. A constraint missing here still maps by its SQLSTATE, only less precisely.
 */
export const CONSTRAINTS: Record<string, ConstraintMeaning> = {
  // profiles (20261122000100_profiles.sql)
  profiles_username_key: {
    code: 'conflict',
    path: 'body.username',
    message: 'That username is taken',
  },
  profiles_username_format: field('body.username', 'Use 3 to 30 of a-z, 0-9, _ and .'),
  profiles_first_name_length: field('body.first_name', 'Use at most 100 characters'),
  profiles_last_name_length: field('body.last_name', 'Use at most 100 characters'),
  profiles_avatar_url_length: field('body.avatar_url', 'Use at most 2048 characters'),
  // projects (20261122000700_projects.sql)
  projects_name_length: field('body.name', 'Use 1 to 120 characters'),
  projects_description_length: field('body.description', 'Use at most 2000 characters'),
  projects_settings_object: field('body.settings', 'Settings must be a JSON object'),
  projects_settings_size: field('body.settings', 'Settings may hold at most 64 KB'),
  project_members_pkey: { code: 'conflict', message: 'That user is already a member' },
  project_members_user_id_fkey: { code: 'not_found', message: 'No user to add was found' },
  project_messages_generation_id_fkey: field(
    'body.generation_id',
    'No such generation in this project',
  ),
  project_messages_generation_same_project: field(
    'body.generation_id',
    'No such generation in this project',
  ),
  project_messages_content_length: field('body.content', 'Use 1 to 100000 characters'),
  // roles and permissions (20261122000200_rbac.sql, 20261129001200_rbac_manage.sql)
  roles_name_key: { code: 'conflict', path: 'body.name', message: 'That role name is taken' },
  roles_name_format: field('body.name', 'Use 2 to 50 of a-z, 0-9, _ and -, starting with a letter'),
  roles_description_length: field('body.description', 'Use at most 500 characters'),
  roles_parent_id_fkey: field('body.parent_id', 'No such role'),
  roles_not_own_parent: {
    code: 'conflict',
    path: 'body.parent_id',
    message: 'A role cannot be its own parent',
  },
  roles_no_cycle: {
    code: 'conflict',
    path: 'body.parent_id',
    message: 'That parent would make the role its own ancestor',
  },
  roles_system: { code: 'conflict', message: 'System roles cannot be renamed or deleted' },
  permissions_name_key: {
    code: 'conflict',
    path: 'body.name',
    message: 'That permission already exists',
  },
  permissions_name_format: field(
    'body.name',
    'Use resource:action, of a-z and _ (action may be *)',
  ),
  permissions_description_length: field('body.description', 'Use at most 500 characters'),
  permissions_system: {
    code: 'conflict',
    message: 'System permissions cannot be renamed or deleted',
  },
  rbac_manage_last_holder: {
    code: 'conflict',
    message: 'This would leave nobody holding rbac:manage',
  },
  role_permissions_role_id_fkey: { code: 'not_found', message: 'Role not found' },
  role_permissions_permission_id_fkey: { code: 'not_found', message: 'Permission not found' },
  user_roles_user_id_fkey: { code: 'not_found', message: 'User not found' },
  user_roles_role_id_fkey: { code: 'not_found', message: 'Role not found' },
  // app clients (20261129001000_app_clients.sql)
  app_clients_name_key: {
    code: 'conflict',
    path: 'body.name',
    message: 'That client name is taken',
  },
  app_clients_name_format: field('body.name', 'Use 1 to 100 letters, digits, spaces, _ . and -'),
  app_clients_description_length: field('body.description', 'Use at most 500 characters'),
  app_clients_allowed_scopes_format: field(
    'body.allowed_scopes',
    'Use at most 100 permission names (resource:action)',
  ),
  app_clients_token_lifetime_range: field('body.token_lifetime_seconds', 'Use 60 to 86400 seconds'),
  app_clients_token_quota_range: field('body.token_quota_per_hour', 'Use 1 to 100000'),
  app_client_roles_role_id_fkey: { code: 'not_found', message: 'Role not found' },
  app_client_roles_app_client_id_fkey: { code: 'not_found', message: 'App client not found' },
  app_client_secrets_app_client_id_fkey: { code: 'not_found', message: 'App client not found' },
  app_signing_keys_current: {
    code: 'conflict',
    message: 'The key that signs cannot be retired; rotate first',
  },
  app_signing_keys_in_use: {
    code: 'conflict',
    message: 'Tokens signed with this key may still be valid; retire it a day after rotation',
  },
  // code generations (20261122000700_projects.sql, 20261129002020_generation_pipeline.sql)
  code_generations_prompt_length: field('body.prompt', 'Use 1 to 20000 characters'),
  code_generations_kind_check: field('body.kind', 'Use generate, fix or build'),
  code_generations_files_size: field('body.files', 'Files may hold at most 2 MB in all'),
  // the CRM (20261129003000_crm_tables.sql)
  crm_channels_phone_number_id_key: {
    code: 'conflict',
    path: 'body.phone_number_id',
    message: 'That number is already connected to a project',
  },
  crm_channels_phone_number_id_format: field('body.phone_number_id', "Use Meta's numeric id"),
  crm_channels_name_length: field('body.name', 'Use 1 to 120 characters'),
  crm_clients_project_phone_key: {
    code: 'conflict',
    path: 'body.phone',
    message: 'A client of this project already has that phone number',
  },
  crm_clients_project_email_key: {
    code: 'conflict',
    path: 'body.email',
    message: 'A client of this project already has that email address',
  },
  crm_clients_phone_format: field(
    'body.phone',
    'Use an international number: + and 7 to 15 digits',
  ),
  crm_clients_name_length: field('body.name', 'Use 1 to 200 characters'),
  crm_clients_email_format: field('body.email', 'Use an email address'),
  crm_clients_profile_type_format: field('body.profile_type', 'Use 1 to 50 of a-z, 0-9, _ and -'),
  crm_clients_tags_count: field('body.tags', 'Use at most 50 tags'),
  crm_clients_notes_length: field('body.notes', 'Use at most 20000 characters'),
  crm_templates_name_language_key: {
    code: 'conflict',
    path: 'body.name',
    message: 'This project already has a template with that name and language',
  },
  crm_templates_size: field('body', 'A template may hold at most 64 KB of parameters and buttons'),
  crm_classifiers_rules_size: field('body.rules', 'Rules may hold at most 64 KB'),
};
