#!/usr/bin/env node
/**
 * Packages the service offline (`osls package --stage ci`: no AWS credentials, no login, no network)
 * and checks the CloudFormation template it wrote: least-privilege IAM, the worker's SQS event,
 * the tables' keys, the queues and the runtime; then validates the whole template against AWS's own
 * CloudFormation resource specification, offline (scripts/cfn-spec-validate.mjs). Exits non-zero,
 * naming every problem, otherwise.
 *
 *   npm run package:check             package, then check
 *   npm run package:check -- --no-package   check the template already in .serverless/
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCfnSpec, validateTemplate } from './cfn-spec-validate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stage = 'ci';
const templatePath = join(root, '.serverless', 'cloudformation-template-update-stack.json');

const packageService = () =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('npx', ['--no-install', 'osls', 'package', '--stage', stage, '--region', 'us-east-1'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        // Packaging never calls AWS; these only keep the framework from looking for a profile.
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'package-check',
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'package-check',
        AWS_REGION: 'us-east-1',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_INTERACTIVE_SETUP_DISABLE: '1',
        CI: process.env.CI ?? '1',
      },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve(seconds);
      else reject(new Error(`osls package failed (${signal ?? `exit code ${code}`}) after ${seconds.toFixed(1)} s; see its output above.`));
    });
  });

// ------------------------------------------------------------------ template helpers

const asArray = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
/** The same strings, in any order and case (IAM actions are not case-sensitive). */
const sameList = (values, expected) => values.length === expected.length && expected.every((e) => values.some((v) => String(v).toLowerCase() === e.toLowerCase()));

/** A readable string for an IAM resource: intrinsic functions become their text or a <Logical.Attr> placeholder. */
const render = (value) => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    if ('Fn::GetAtt' in value) {
      const att = value['Fn::GetAtt'];
      return `<${Array.isArray(att) ? att.join('.') : att}>`;
    }
    if ('Ref' in value) return `<${value.Ref}>`;
    if ('Fn::Sub' in value) return render(Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'][0] : value['Fn::Sub']);
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'];
      return parts.map(render).join(separator);
    }
  }
  return JSON.stringify(value);
};

/** Every IAM policy statement in the template, with where it came from. */
const iamStatements = (resources) => {
  const found = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asArray(resource.Properties?.Policies)) {
        for (const statement of asArray(policy.PolicyDocument?.Statement)) found.push({ where: `${logicalId} (role policy)`, statement });
      }
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      for (const statement of asArray(resource.Properties?.PolicyDocument?.Statement)) found.push({ where: logicalId, statement });
    }
  }
  return found;
};

// ------------------------------------------------------------------ checks

const check = (template) => {
  const problems = [];
  const resources = template.Resources ?? {};
  const secretsResource = new RegExp(
    String.raw`^arn:(?:\$\{AWS::Partition\}|aws):secretsmanager:(?:\$\{AWS::Region\}|[a-z0-9-]+):(?:\$\{AWS::AccountId\}|\d{12}):secret:bamboohr-sync/${stage}/tenants/\*$`,
  );
  // The framework's own log permissions are scoped to this service's log groups.
  const logsResource = new RegExp(String.raw`^arn:\$\{AWS::Partition\}:logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:/aws/lambda/bamboohr-sync-${stage}\*:\*(?::\*)?$`);
  const oauthClientResource = new RegExp(
    String.raw`^arn:(?:\$\{AWS::Partition\}|aws):secretsmanager:(?:\$\{AWS::Region\}|[a-z0-9-]+):(?:\$\{AWS::AccountId\}|\d{12}):secret:bamboohr-sync/${stage}/oauth-client-\*$`,
  );
  // Credentials given on connect links, not complete yet: the connect function's only, apart from the tenants'.
  const connectingResource = new RegExp(
    String.raw`^arn:(?:\$\{AWS::Partition\}|aws):secretsmanager:(?:\$\{AWS::Region\}|[a-z0-9-]+):(?:\$\{AWS::AccountId\}|\d{12}):secret:bamboohr-sync/${stage}/connect/\*$`,
  );
  const readOnlySecretsActions = new Set(['secretsmanager:getsecretvalue', 'secretsmanager:describesecret']);
  // Who may write tenant secrets, and what: the admin API anything; the connect page what registering
  // needs (never a delete); the worker only a rotated OAuth grant (a pending version made current).
  const secretWrites = {
    AdminRole: null,
    ConnectRole: new Set(['secretsmanager:createsecret', 'secretsmanager:putsecretvalue', 'secretsmanager:tagresource', 'secretsmanager:updatesecretversionstage']),
    WorkerRole: new Set(['secretsmanager:putsecretvalue', 'secretsmanager:updatesecretversionstage']),
  };

  // IAM
  const statements = iamStatements(resources);
  if (statements.length === 0) problems.push('No IAM statements found in the template.');
  for (const { where, statement } of statements) {
    const label = `${where} statement ${statement.Sid ?? JSON.stringify(asArray(statement.Action))}`;
    if (statement.Effect !== 'Allow') continue;
    // The scheduler's sweep of expired connect links' credentials, exactly: listing secrets (an action
    // with no resource to name: names and dates, never a value), and deleting under the connect prefix.
    const schedulerSweep =
      where.startsWith('SchedulerRole') &&
      statement.NotResource === undefined &&
      statement.NotAction === undefined &&
      ((sameList(asArray(statement.Action), ['secretsmanager:ListSecrets']) && sameList(asArray(statement.Resource).map(render), ['*'])) ||
        (sameList(asArray(statement.Action), ['secretsmanager:DeleteSecret']) &&
          asArray(statement.Resource).length === 1 &&
          connectingResource.test(render(asArray(statement.Resource)[0]))));
    if (schedulerSweep) continue;
    if (statement.NotResource !== undefined || statement.NotAction !== undefined) problems.push(`${label}: uses NotResource/NotAction.`);
    const actions = asArray(statement.Action).map((a) => String(a).toLowerCase());
    const rendered = asArray(statement.Resource).map(render);
    if (rendered.length === 0) problems.push(`${label}: has no Resource.`);
    for (const action of actions) {
      if (action === '*' || action.endsWith(':*')) problems.push(`${label}: grants the wildcard action '${action}'.`);
    }
    for (const resource of rendered) {
      if (resource === '*' || resource === '<*>') problems.push(`${label}: has Resource '*'.`);
    }
    const services = new Set(actions.map((a) => a.split(':')[0]));
    if (services.has('secretsmanager')) {
      const writes = asArray(statement.Action)
        .map(String)
        .filter((a) => a.toLowerCase().startsWith('secretsmanager:') && !readOnlySecretsActions.has(a.toLowerCase()));
      const role = Object.keys(secretWrites).find((r) => where.startsWith(r));
      // The connect function may also delete a link's kept credential (once connected), and only that.
      const onlyConnecting = rendered.length > 0 && rendered.every((r) => connectingResource.test(r));
      const allowedWrites =
        role === undefined ? new Set() : role === 'ConnectRole' && onlyConnecting ? new Set([...secretWrites.ConnectRole, 'secretsmanager:deletesecret']) : secretWrites[role];
      const refused = allowedWrites === null ? [] : writes.filter((a) => !allowedWrites.has(a.toLowerCase()));
      if (refused.length > 0) problems.push(`${label}: grants Secrets Manager actions that are not read-only: ${refused.join(', ')}.`);
      for (const resource of rendered) {
        // The OAuth app's client secret: read only, by anyone who needs it.
        if (oauthClientResource.test(resource) && writes.length === 0) continue;
        if (connectingResource.test(resource)) {
          if (role !== 'ConnectRole') problems.push(`${label}: only the connect function may touch the connect links' credentials ('${resource}').`);
          continue;
        }
        if (!secretsResource.test(resource)) {
          problems.push(`${label}: Secrets Manager access must be limited to secret:bamboohr-sync/${stage}/tenants/* (or reading .../oauth-client), not '${resource}'.`);
        }
      }
    } else if (services.has('logs')) {
      for (const resource of rendered) {
        if (resource.includes('*') && !logsResource.test(resource)) problems.push(`${label}: log permissions on '${resource}' are too broad.`);
      }
    } else {
      for (const resource of rendered) {
        if (resource.includes('*')) problems.push(`${label}: resource '${resource}' contains a wildcard; name the table, index or queue.`);
      }
    }
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::IAM::Role' && asArray(resource.Properties?.ManagedPolicyArns).length > 0) {
      problems.push(`${logicalId}: attaches managed policies (${asArray(resource.Properties.ManagedPolicyArns).map(render).join(', ')}).`);
    }
  }

  // HTTP routes: every route requires IAM auth but BambooHR's webhook (verified by its signature) and
  // the customer's connect page (its one-time token is the credential), which are throttled below.
  const CONNECT_ROUTES = ['GET /connect/{token}', 'GET /connect/{token}/oauth', 'POST /connect/{token}/key', 'POST /connect/{token}/check', 'GET /oauth/bamboohr/callback'];
  const publicRoutes = ['POST /webhooks/bamboohr/{tenantId}', ...CONNECT_ROUTES];
  const seenConnect = new Set();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const routeKey = String(resource.Properties?.RouteKey ?? '');
    if (CONNECT_ROUTES.includes(routeKey)) {
      seenConnect.add(routeKey);
      if (!JSON.stringify(resource.Properties?.Target ?? '').includes('HttpApiIntegrationConnect')) problems.push(`${logicalId} (${routeKey}) must be served by the connect function.`);
    }
    if (!publicRoutes.includes(routeKey) && resource.Properties?.AuthorizationType !== 'AWS_IAM') {
      problems.push(`${logicalId} (${routeKey}) is not protected by IAM auth.`);
    }
  }
  for (const route of CONNECT_ROUTES) if (!seenConnect.has(route)) problems.push(`Missing the connect page's route ${route}.`);
  // Only the admin API runs with the role that may write secrets.
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::Lambda::Function' && JSON.stringify(resource.Properties?.Role ?? '').includes('AdminRole') && logicalId !== 'AdminApiLambdaFunction') {
      problems.push(`${logicalId} runs with AdminRole, which may write tenant secrets.`);
    }
  }

  // The public webhook route: throttled, and its function in a concurrency of its own (a flood of
  // forged requests costs little and cannot starve the worker).
  const apiStage = resources.HttpApiStage?.Properties;
  const positive = (value) => typeof value === 'number' && value > 0;
  if (!positive(apiStage?.DefaultRouteSettings?.ThrottlingRateLimit) || !positive(apiStage?.DefaultRouteSettings?.ThrottlingBurstLimit)) {
    problems.push('HttpApiStage must throttle every route (DefaultRouteSettings.ThrottlingRateLimit and ThrottlingBurstLimit).');
  }
  const webhookRoute = apiStage?.RouteSettings?.['POST /webhooks/bamboohr/{tenantId}'];
  if (!positive(webhookRoute?.ThrottlingRateLimit) || !positive(webhookRoute?.ThrottlingBurstLimit)) {
    problems.push("HttpApiStage must throttle the webhook route 'POST /webhooks/bamboohr/{tenantId}' (RouteSettings).");
  }
  for (const route of CONNECT_ROUTES) {
    const settings = apiStage?.RouteSettings?.[route];
    if (!positive(settings?.ThrottlingRateLimit) || !positive(settings?.ThrottlingBurstLimit)) problems.push(`HttpApiStage must throttle the public route '${route}' (RouteSettings).`);
  }
  if (!positive(resources.ConnectLambdaFunction?.Properties?.ReservedConcurrentExecutions)) {
    problems.push('The connect function needs reserved concurrency (reservedConcurrency in serverless.yml).');
  }
  if (!positive(resources.WebhookLambdaFunction?.Properties?.ReservedConcurrentExecutions)) {
    problems.push('The webhook function needs reserved concurrency (reservedConcurrency in serverless.yml).');
  }

  // Operations: the alerts topic, the alarms that publish to it, the dashboard, the worker's cap.
  const topic = resources.AlertsTopic;
  if (topic?.Type !== 'AWS::SNS::Topic' || topic.Properties?.TopicName !== `bamboohr-sync-${stage}-alerts`) {
    problems.push(`Missing the SNS topic AlertsTopic named bamboohr-sync-${stage}-alerts (support subscribes to it).`);
  }
  for (const [output, ref] of [['AlertsTopicArn', 'AlertsTopic'], ['PublicBaseUrl', null]]) {
    const value = template.Outputs?.[output]?.Value;
    if (!value || (ref && value.Ref !== ref)) problems.push(`Missing the stack output ${output} (README, Operations; the CLI with --stage reads it).`);
  }
  const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
  const metricsOf = (alarm) => [
    alarm.Properties?.MetricName,
    ...asArray(alarm.Properties?.Metrics).map((m) => m.MetricStat?.Metric?.MetricName),
  ].filter(Boolean);
  const dimensionsOf = (alarm) =>
    JSON.stringify([alarm.Properties?.Dimensions, ...asArray(alarm.Properties?.Metrics).map((m) => m.MetricStat?.Metric?.Dimensions)]);
  const expectAlarm = (what, test) => {
    const found = alarms.filter(([, alarm]) => test(alarm));
    if (found.length === 0) problems.push(`Missing an alarm on ${what}.`);
    for (const [logicalId, alarm] of found) {
      if (!asArray(alarm.Properties?.AlarmActions).some((a) => render(a) === '<AlertsTopic>')) problems.push(`${logicalId} (${what}) does not publish to AlertsTopic.`);
    }
  };
  expectAlarm('messages in the dead-letter queue', (a) => metricsOf(a).includes('ApproximateNumberOfMessagesVisible') && dimensionsOf(a).includes('JobsDeadLetterQueue'));
  expectAlarm("the age of the jobs queue's oldest message", (a) => metricsOf(a).includes('ApproximateAgeOfOldestMessage') && dimensionsOf(a).includes('JobsQueue'));
  expectAlarm('worker errors', (a) => metricsOf(a).includes('Errors') && dimensionsOf(a).includes('WorkerLambdaFunction'));
  expectAlarm('worker throttles', (a) => metricsOf(a).includes('Throttles') && dimensionsOf(a).includes('WorkerLambdaFunction'));
  expectAlarm('the webhook 5xx rate', (a) => metricsOf(a).includes('5xx') && dimensionsOf(a).includes('/webhooks/bamboohr/'));
  expectAlarm('scheduler failures', (a) => metricsOf(a).includes('Errors') && dimensionsOf(a).includes('SchedulerLambdaFunction'));
  const dashboard = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(dashboard?.Properties?.DashboardBody ?? '');
  const shown = ['RunsFailed', 'RunsHeld', 'EmployeesCreated', 'EmployeesDeactivated', 'WebhooksAccepted', 'WebhooksRefused', 'ApproximateNumberOfMessagesVisible'];
  const missingFromDashboard = shown.filter((metric) => !body.includes(metric));
  if (!dashboard) problems.push('Missing the CloudWatch dashboard.');
  else if (missingFromDashboard.length > 0) problems.push(`The dashboard does not show ${missingFromDashboard.join(', ')}.`);
  const workerMapping = Object.values(resources).find(
    (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties?.FunctionName ?? '').includes('WorkerLambdaFunction'),
  );
  if (!positive(workerMapping?.Properties?.ScalingConfig?.MaximumConcurrency)) problems.push('The worker needs a concurrency cap (maximumConcurrency on its sqs event).');

  // Logs: no log group keeps logs forever.
  const logGroups = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
  if (logGroups.length === 0) problems.push('No log groups in the template: each function should have one with a retention.');
  for (const [logicalId, group] of logGroups) {
    if (!positive(group.Properties?.RetentionInDays)) problems.push(`${logicalId}: the log group needs a retention (provider.logRetentionInDays in serverless.yml).`);
  }

  // Functions
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  if (functions.length === 0) problems.push('No Lambda functions in the template.');
  for (const [logicalId, fn] of functions) {
    if (fn.Properties?.Runtime !== 'nodejs22.x') problems.push(`${logicalId}: runtime is ${fn.Properties?.Runtime}, expected nodejs22.x.`);
  }
  const worker = resources.WorkerLambdaFunction;
  if (!worker) problems.push('No worker function (WorkerLambdaFunction).');
  const workerMappings = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::Lambda::EventSourceMapping' &&
      JSON.stringify(r.Properties?.FunctionName ?? '').includes('WorkerLambdaFunction') &&
      JSON.stringify(r.Properties?.EventSourceArn ?? '').includes('JobsQueue'),
  );
  if (workerMappings.length !== 1) {
    problems.push(`The worker needs exactly one SQS event on JobsQueue (found ${workerMappings.length}).`);
  } else {
    const mapping = workerMappings[0].Properties;
    if (!asArray(mapping.FunctionResponseTypes).includes('ReportBatchItemFailures')) {
      problems.push('The worker SQS event must set functionResponseType: ReportBatchItemFailures.');
    }
    const batchSize = mapping.BatchSize ?? 10;
    if (batchSize !== 1) problems.push(`The worker SQS event batch size is ${batchSize}: it must be 1, so that one job's failure never holds back or burns the receives of another.`);
    const workerFn = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties?.Handler ?? '').includes('worker'),
    );
    const workerEnv = workerFn?.Properties?.Environment?.Variables ?? {};
    const backstop = resources.JobsQueue?.Properties?.RedrivePolicy?.maxReceiveCount;
    if (String(workerEnv.SYNC_MAX_RECEIVE_COUNT) !== String(backstop)) {
      problems.push(`The worker's SYNC_MAX_RECEIVE_COUNT (${workerEnv.SYNC_MAX_RECEIVE_COUNT}) must equal the jobs queue's maxReceiveCount (${backstop}).`);
    }
    // One job at worst (lib/config.ts recordBudgetMs) must fit in the worker's timeout, or no job would ever start.
    const env = { ...(template.Resources?.WorkerLambdaFunction?.Properties?.Environment?.Variables ?? {}) };
    const setting = (name, fallback) => Number(env[name] ?? fallback);
    const budgetSeconds =
      setting('WORKER_RECORD_BUDGET_SECONDS', 0) ||
      (setting('BAMBOOHR_TIMEOUT_MS', 30_000) * (setting('BAMBOOHR_RETRY_LIMIT', 4) + 1) + setting('BAMBOOHR_RETRY_MAX_WAIT_MS', 60_000) * setting('BAMBOOHR_RETRY_LIMIT', 4) + 60_000) / 1000;
    if (typeof workerFn?.Properties?.Timeout === 'number' && budgetSeconds >= workerFn.Properties.Timeout) {
      problems.push(`One job may take ${budgetSeconds} s at worst, not less than the worker's timeout (${workerFn.Properties.Timeout} s): no job would ever be started. Lower the BambooHR timeouts and retries, or raise the timeout.`);
    }
    if (!(Number(workerEnv.JOB_MAX_ATTEMPTS) >= 1 && Number(workerEnv.JOB_MAX_ATTEMPTS) < Number(backstop))) {
      problems.push(`The worker's JOB_MAX_ATTEMPTS (${workerEnv.JOB_MAX_ATTEMPTS}) must be set and below the queue's maxReceiveCount (${backstop}).`);
    }
    const visibility = resources.JobsQueue?.Properties?.VisibilityTimeout;
    const timeout = workerFn?.Properties?.Timeout;
    if (typeof visibility !== 'number' || typeof timeout !== 'number' || visibility < timeout) {
      problems.push(`The jobs queue's VisibilityTimeout (${visibility}) must be at least the worker's timeout (${timeout}), or a running sync is delivered twice.`);
    }
  }

  // Tables
  const expectTable = (logicalId, name, keys, extra = {}) => {
    const table = resources[logicalId];
    if (!table || table.Type !== 'AWS::DynamoDB::Table') {
      problems.push(`Missing DynamoDB table ${logicalId}.`);
      return;
    }
    const p = table.Properties ?? {};
    if (p.TableName !== name) problems.push(`${logicalId}: TableName is ${JSON.stringify(p.TableName)}, expected ${name}.`);
    if (p.BillingMode !== 'PAY_PER_REQUEST') problems.push(`${logicalId}: BillingMode must be PAY_PER_REQUEST.`);
    const types = Object.fromEntries(asArray(p.AttributeDefinitions).map((a) => [a.AttributeName, a.AttributeType]));
    const keySchema = asArray(p.KeySchema).map((k) => `${k.AttributeName}:${types[k.AttributeName]}:${k.KeyType}`);
    const expected = keys.map(([attr, type], i) => `${attr}:${type}:${i === 0 ? 'HASH' : 'RANGE'}`);
    if (JSON.stringify(keySchema) !== JSON.stringify(expected)) {
      problems.push(`${logicalId}: key schema is [${keySchema.join(', ')}], expected [${expected.join(', ')}].`);
    }
    if (extra.ttl && (p.TimeToLiveSpecification?.AttributeName !== extra.ttl || p.TimeToLiveSpecification?.Enabled !== true)) {
      problems.push(`${logicalId}: TTL must be enabled on ${extra.ttl}.`);
    }
    if (extra.pitr !== false && p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled !== true) problems.push(`${logicalId}: point-in-time recovery must be on.`);
    for (const [indexName, indexKeys] of Object.entries(extra.gsis ?? {})) {
      const gsi = asArray(p.GlobalSecondaryIndexes).find((g) => g.IndexName === indexName);
      if (!gsi) {
        problems.push(`${logicalId}: missing GSI ${indexName}.`);
        continue;
      }
      const got = asArray(gsi.KeySchema).map((k) => `${k.AttributeName}:${types[k.AttributeName]}:${k.KeyType}`);
      const want = indexKeys.map(([attr, type], i) => `${attr}:${type}:${i === 0 ? 'HASH' : 'RANGE'}`);
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${logicalId}.${indexName}: key schema is [${got.join(', ')}], expected [${want.join(', ')}].`);
      const projection = gsi.Projection?.ProjectionType;
      if (projection !== 'ALL' && !(projection === 'INCLUDE' && asArray(gsi.Projection?.NonKeyAttributes).length > 0)) {
        problems.push(`${logicalId}.${indexName}: projection must be ALL, or INCLUDE what its reader needs.`);
      }
    }
  };
  const prefix = `bamboohr-sync-${stage}`;
  expectTable('ActivityTable', `${prefix}-activity`, [['tenantId', 'S'], ['eventKey', 'S']], { ttl: 'expiresAt', gsis: { alerts: [['alertPartition', 'S'], ['alertKey', 'S']] } });
  expectTable('TenantsTable', `${prefix}-tenants`, [['tenantId', 'S']], { gsis: { byStatus: [['status', 'S'], ['tenantId', 'S']], bySlot: [['status', 'S'], ['slotKey', 'N']] } });
  expectTable('EmployeesTable', `${prefix}-employees`, [['tenantId', 'S'], ['employeeId', 'S']]);
  expectTable('ChangesTable', `${prefix}-changes`, [['tenantId', 'S'], ['seq', 'N']], { ttl: 'expiresAt' });
  expectTable('RunsTable', `${prefix}-runs`, [['tenantId', 'S'], ['runId', 'S']], { ttl: 'expiresAt' });
  // Markers only live minutes to days: nothing to recover.
  expectTable('MarkersTable', `${prefix}-markers`, [['key', 'S']], { ttl: 'expiresAt', pitr: false });

  // Queues
  const jobs = resources.JobsQueue?.Properties;
  const dlq = resources.JobsDeadLetterQueue?.Properties;
  if (!jobs || !dlq) {
    problems.push('Missing JobsQueue or JobsDeadLetterQueue.');
  } else {
    if (jobs.QueueName !== `${prefix}-jobs.fifo` || jobs.FifoQueue !== true) problems.push(`JobsQueue must be the FIFO queue ${prefix}-jobs.fifo.`);
    if (jobs.ContentBasedDeduplication) problems.push('JobsQueue must not use content-based deduplication (jobs carry their own ids).');
    if (jobs.VisibilityTimeout !== 1800) problems.push(`JobsQueue visibility timeout is ${jobs.VisibilityTimeout}, expected 1800.`);
    if (render(jobs.RedrivePolicy?.deadLetterTargetArn) !== '<JobsDeadLetterQueue.Arn>' || !(Number(jobs.RedrivePolicy?.maxReceiveCount) >= 10)) {
      problems.push('JobsQueue must redrive to JobsDeadLetterQueue, with a high maxReceiveCount (a backstop: the worker dead-letters jobs itself).');
    }
    if (dlq.QueueName !== `${prefix}-jobs-dlq.fifo` || dlq.FifoQueue !== true) problems.push(`JobsDeadLetterQueue must be the FIFO queue ${prefix}-jobs-dlq.fifo.`);
    if (dlq.MessageRetentionPeriod !== 1209600) problems.push('JobsDeadLetterQueue must keep messages 14 days (1209600 s).');
  }
  return problems;
};

// ------------------------------------------------------------------ main

const main = async () => {
  if (!process.argv.includes('--no-package')) {
    const seconds = await packageService();
    console.log(`package:check: packaged in ${seconds.toFixed(1)} s`);
  }
  const template = JSON.parse(await readFile(templatePath, 'utf8'));
  const problems = check(template);

  const specVersion = createRequire(import.meta.url)('@aws-cdk/aws-service-spec/package.json').version;
  const loadStarted = performance.now();
  await loadCfnSpec();
  const validateStarted = performance.now();
  const specProblems = await validateTemplate(template);
  const done = performance.now();
  console.log(
    `package:check: CloudFormation spec (@aws-cdk/aws-service-spec ${specVersion}) loaded in ${((validateStarted - loadStarted) / 1000).toFixed(2)} s, ` +
      `${Object.keys(template.Resources ?? {}).length} resources validated in ${Math.round(done - validateStarted)} ms`,
  );
  problems.push(...specProblems.map((problem) => `spec: ${problem}`));

  if (problems.length > 0) {
    console.error(`package:check: ${problems.length} problem(s) in ${templatePath}:`);
    for (const problem of problems) console.error(`  - ${problem}`);
    process.exitCode = 1;
    return;
  }
  console.log('package:check: IAM, worker event, tables, queues and runtime are as expected; the template is valid against the CloudFormation spec.');
};

main().catch((error) => {
  console.error(`package:check: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
