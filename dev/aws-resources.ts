/**
 * The tables and queues of serverless.yml, for the local emulators: serverless.yml stays the only
 * place they are defined. Reads its `resources`, resolves the `${...}` name expressions for a stage
 * and creates the same tables (CreateTable + UpdateTimeToLive) and queues (with their redrive policy).
 */
import { readFileSync } from 'node:fs';
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type StreamSpecification,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parse } from 'yaml';
import type { Config } from '../lib/config.js';

export const SERVERLESS_YML = new URL('../serverless.yml', import.meta.url);

// ------------------------------------------------------------------ parsing

const INTRINSICS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  GetAtt: 'Fn::GetAtt',
  Sub: 'Fn::Sub',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  FindInMap: 'Fn::FindInMap',
  ImportValue: 'Fn::ImportValue',
  Base64: 'Fn::Base64',
  GetAZs: 'Fn::GetAZs',
  Cidr: 'Fn::Cidr',
  Transform: 'Fn::Transform',
};

/** CloudFormation's short-form tags (`!Ref X`, `!GetAtt X.Arn`, ...) become their long-form objects. */
const cloudFormationTags = Object.entries(INTRINSICS).flatMap(([name, key]) => [
  { tag: `!${name}`, resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }) },
  { tag: `!${name}`, collection: 'seq' as const, resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }) },
  { tag: `!${name}`, collection: 'map' as const, resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }) },
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const parsedDocuments = new Map<string, JsonObject>();

/** serverless.yml as parsed YAML (variables unresolved, intrinsic functions as objects). */
export const loadServerlessYml = (file: URL | string = SERVERLESS_YML): JsonObject => {
  const key = String(file);
  let document = parsedDocuments.get(key);
  if (!document) {
    const parsed: unknown = parse(readFileSync(file, 'utf8'), { customTags: cloudFormationTags });
    if (!isObject(parsed)) throw new Error(`${key} is not a YAML mapping.`);
    document = parsed;
    parsedDocuments.set(key, document);
  }
  return document;
};

// ------------------------------------------------------------------ variables

export interface ResolveOptions {
  stage: string;
  region?: string;
  /** Values for `${param:...}`, over serverless.yml's `params`. */
  params?: Record<string, string>;
}

const lookupPath = (document: JsonObject, path: string): Json | undefined => {
  let current: Json | undefined = document;
  for (const part of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[part];
  }
  return current;
};

/** Splits `a, 'b, c'` at commas outside quotes. */
const splitTopLevel = (expression: string): string[] => {
  const parts: string[] = [];
  let quote: string | null = null;
  let current = '';
  for (const char of expression) {
    if (quote) {
      if (char === quote) quote = null;
      current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current += char;
    } else if (char === ',') {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts;
};

/**
 * Resolves the Serverless variables that serverless.yml uses for names (`${sls:stage}`,
 * `${opt:stage, 'dev'}`, `${self:...}`, `${param:...}`, `${opt:region}`), leaving CloudFormation's
 * own `${AWS::...}` and `${Logical.Attr}` for !Sub alone.
 */
export const resolveVariables = (value: Json, document: JsonObject, options: ResolveOptions, depth = 0): Json => {
  if (depth > 20) throw new Error('serverless.yml: variables nest too deeply (a cycle?).');
  if (Array.isArray(value)) return value.map((item) => resolveVariables(item, document, options, depth));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveVariables(v, document, options, depth)]));
  if (typeof value !== 'string') return value;

  const resolveOne = (expression: string): Json | undefined => {
    const [reference = '', ...fallbacks] = splitTopLevel(expression);
    const literal = /^(['"])(.*)\1$/.exec(reference);
    if (literal) return literal[2] ?? '';
    if (/^-?\d+(\.\d+)?$/.test(reference)) return Number(reference);
    let resolved: Json | undefined;
    const [source, ...rest] = reference.split(':');
    const address = rest.join(':');
    switch (source) {
      case 'sls':
        if (address === 'stage') resolved = options.stage;
        else if (address === 'instanceId') resolved = 'local';
        break;
      case 'opt':
        if (address === 'stage') resolved = options.stage;
        else if (address === 'region') resolved = options.region;
        break;
      case 'aws':
        if (address === 'region') resolved = options.region;
        break;
      case 'self':
        resolved = lookupPath(document, address);
        if (resolved !== undefined) resolved = resolveVariables(resolved, document, options, depth + 1);
        break;
      case 'param': {
        const params = isObject(document.params) ? document.params : {};
        const forStage = isObject(params[options.stage]) ? (params[options.stage] as JsonObject) : {};
        const defaults = isObject(params.default) ? params.default : {};
        resolved = options.params?.[address] ?? forStage[address] ?? defaults[address];
        if (resolved !== undefined) resolved = resolveVariables(resolved, document, options, depth + 1);
        break;
      }
      case 'env':
        break;
      default:
        throw new Error(`serverless.yml: cannot resolve the variable \${${expression}} locally.`);
    }
    if (resolved !== undefined && resolved !== null) return resolved;
    for (const fallback of fallbacks) {
      const value = resolveOne(fallback);
      if (value !== undefined && value !== null) return value;
    }
    return undefined;
  };

  // Innermost first, so that `${self:custom.${sls:stage}}` works.
  const variable = /\$\{([^{}]+)\}/g;
  let text = value;
  for (let pass = 0; pass < 20; pass += 1) {
    let whole: Json | undefined;
    let changed = false;
    text = text.replace(variable, (match, expression: string) => {
      // CloudFormation's own !Sub placeholders (${AWS::Region}, ${Table.Arn}, ${LogicalId}) have no `source:`.
      if (/^AWS::/.test(expression) || !expression.includes(':')) return match;
      const resolved = resolveOne(expression);
      if (resolved === undefined) throw new Error(`serverless.yml: the variable ${match} has no value for stage '${options.stage}'.`);
      changed = true;
      if (match === value && typeof resolved !== 'string') whole = resolved;
      return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    });
    if (whole !== undefined) return whole;
    if (!changed) break;
  }
  return text;
};

const resources = (options: ResolveOptions, file?: URL | string): Array<[string, JsonObject]> => {
  const document = loadServerlessYml(file);
  const section = lookupPath(document, 'resources.Resources');
  if (!isObject(section)) throw new Error('serverless.yml has no resources.Resources section.');
  return Object.entries(section).flatMap(([logicalId, resource]) =>
    isObject(resource) ? [[logicalId, resolveVariables(resource, document, options) as JsonObject] as [string, JsonObject]] : [],
  );
};

// ------------------------------------------------------------------ tables

export interface TableDefinition {
  logicalId: string;
  /** CreateTable input for the stage (on-demand billing, like the deployed tables). */
  input: CreateTableCommandInput & { TableName: string };
  /** The TTL attribute, if the table has TTL enabled. */
  ttlAttribute: string | undefined;
}

const keySchema = (value: Json | undefined): KeySchemaElement[] =>
  (Array.isArray(value) ? value : []).filter(isObject).map((k) => ({ AttributeName: String(k.AttributeName), KeyType: String(k.KeyType) as 'HASH' | 'RANGE' }));

const projection = (value: Json | undefined) => {
  if (!isObject(value)) return { ProjectionType: 'ALL' as const };
  return {
    ProjectionType: String(value.ProjectionType ?? 'ALL') as 'ALL' | 'KEYS_ONLY' | 'INCLUDE',
    ...(Array.isArray(value.NonKeyAttributes) ? { NonKeyAttributes: value.NonKeyAttributes.map(String) } : {}),
  };
};

/** The DynamoDB tables of serverless.yml for a stage. */
export const tableDefinitions = (options: ResolveOptions, file?: URL | string): TableDefinition[] =>
  resources(options, file)
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, resource]) => {
      const p = isObject(resource.Properties) ? resource.Properties : {};
      if (typeof p.TableName !== 'string') throw new Error(`serverless.yml: ${logicalId} needs a literal TableName.`);
      const gsis: GlobalSecondaryIndex[] = (Array.isArray(p.GlobalSecondaryIndexes) ? p.GlobalSecondaryIndexes : []).filter(isObject).map((g) => ({
        IndexName: String(g.IndexName),
        KeySchema: keySchema(g.KeySchema),
        Projection: projection(g.Projection),
      }));
      const lsis: LocalSecondaryIndex[] = (Array.isArray(p.LocalSecondaryIndexes) ? p.LocalSecondaryIndexes : []).filter(isObject).map((l) => ({
        IndexName: String(l.IndexName),
        KeySchema: keySchema(l.KeySchema),
        Projection: projection(l.Projection),
      }));
      const attributeDefinitions: AttributeDefinition[] = (Array.isArray(p.AttributeDefinitions) ? p.AttributeDefinitions : [])
        .filter(isObject)
        .map((a) => ({ AttributeName: String(a.AttributeName), AttributeType: String(a.AttributeType) as 'S' | 'N' | 'B' }));
      const stream = isObject(p.StreamSpecification) ? p.StreamSpecification : undefined;
      const ttl = isObject(p.TimeToLiveSpecification) ? p.TimeToLiveSpecification : undefined;
      return {
        logicalId,
        input: {
          TableName: p.TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: attributeDefinitions,
          KeySchema: keySchema(p.KeySchema),
          ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis } : {}),
          ...(lsis.length > 0 ? { LocalSecondaryIndexes: lsis } : {}),
          ...(stream
            ? { StreamSpecification: { StreamEnabled: true, StreamViewType: String(stream.StreamViewType) } as StreamSpecification }
            : {}),
        },
        ttlAttribute: ttl && ttl.Enabled !== false && typeof ttl.AttributeName === 'string' ? ttl.AttributeName : undefined,
      };
    });

/** Which Config table each serverless.yml table is (so that TENANTS_TABLE etc. overrides are honoured). */
const CONFIG_TABLE_OF: Record<string, keyof Config['tables']> = {
  TenantsTable: 'tenants',
  EmployeesTable: 'employees',
  ChangesTable: 'changes',
  RunsTable: 'runs',
  MarkersTable: 'markers',
  ActivityTable: 'activity',
};

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates the tables of serverless.yml (named as in `config.tables`) and turns on their TTL.
 * Tables that already exist are left as they are. Returns the table names.
 */
export const createTables = async (client: DynamoDBClient, config: Pick<Config, 'stage' | 'region' | 'tables'>): Promise<string[]> => {
  const definitions = tableDefinitions({ stage: config.stage, region: config.region });
  return Promise.all(
    definitions.map(async ({ logicalId, input, ttlAttribute }) => {
      const configKey = CONFIG_TABLE_OF[logicalId];
      const tableName = configKey ? config.tables[configKey] : input.TableName;
      try {
        await client.send(new CreateTableCommand({ ...input, TableName: tableName }));
      } catch (error) {
        if (errorName(error) !== 'ResourceInUseException') throw error;
      }
      for (let attempt = 0; ; attempt += 1) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.TableStatus === 'ACTIVE') break;
        if (attempt > 600) throw new Error(`Table ${tableName} did not become ACTIVE.`);
        await sleep(50);
      }
      if (ttlAttribute) {
        try {
          await client.send(
            new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }),
          );
        } catch (error) {
          // "TimeToLive is already enabled" when the table existed.
          if (!(errorName(error) === 'ValidationException' && /already enabled/i.test(String((error as Error).message)))) throw error;
        }
      }
      return tableName;
    }),
  );
};

// ------------------------------------------------------------------ queues

export interface QueueDefinition {
  logicalId: string;
  name: string;
  fifo: boolean;
  /** SQS queue attributes other than the redrive policy (FifoQueue, VisibilityTimeout, ...). */
  attributes: Record<string, string>;
  visibilityTimeout: number | undefined;
  redrive: { deadLetterQueueLogicalId: string; deadLetterQueueName: string; maxReceiveCount: number } | undefined;
}

const QUEUE_ATTRIBUTES = [
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'MaximumMessageSize',
  'ReceiveMessageWaitTimeSeconds',
] as const;

/** The SQS queues of serverless.yml for a stage. */
export const queueDefinitions = (stage: string, file?: URL | string): QueueDefinition[] => {
  const queues = resources({ stage }, file).filter(([, resource]) => resource.Type === 'AWS::SQS::Queue');
  const nameOf = new Map<string, string>();
  for (const [logicalId, resource] of queues) {
    const p = isObject(resource.Properties) ? resource.Properties : {};
    if (typeof p.QueueName !== 'string') throw new Error(`serverless.yml: ${logicalId} needs a literal QueueName.`);
    nameOf.set(logicalId, p.QueueName);
  }
  return queues.map(([logicalId, resource]) => {
    const p = isObject(resource.Properties) ? resource.Properties : {};
    const attributes: Record<string, string> = {};
    for (const attribute of QUEUE_ATTRIBUTES) {
      if (p[attribute] !== undefined && p[attribute] !== null) attributes[attribute] = String(p[attribute]);
    }
    let redrive: QueueDefinition['redrive'];
    if (isObject(p.RedrivePolicy)) {
      const target = p.RedrivePolicy.deadLetterTargetArn;
      const getAtt = isObject(target) ? target['Fn::GetAtt'] : undefined;
      const dlqLogicalId = Array.isArray(getAtt) ? String(getAtt[0]) : undefined;
      const dlqName = dlqLogicalId ? nameOf.get(dlqLogicalId) : undefined;
      if (!dlqLogicalId || !dlqName) throw new Error(`serverless.yml: ${logicalId}'s RedrivePolicy must point at a queue of this file with !GetAtt <Queue>.Arn.`);
      redrive = { deadLetterQueueLogicalId: dlqLogicalId, deadLetterQueueName: dlqName, maxReceiveCount: Number(p.RedrivePolicy.maxReceiveCount) };
    }
    return {
      logicalId,
      name: nameOf.get(logicalId) as string,
      fifo: p.FifoQueue === true || p.FifoQueue === 'true',
      attributes,
      visibilityTimeout: p.VisibilityTimeout === undefined ? undefined : Number(p.VisibilityTimeout),
      redrive,
    };
  });
};

const createQueue = async (client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> => {
  try {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}.`);
    return QueueUrl;
  } catch (error) {
    if (!/QueueNameExists|QueueAlreadyExists/.test(errorName(error))) throw error;
    // It exists with other attributes: bring them in line.
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw error;
    const { FifoQueue: _fifo, ...mutable } = attributes;
    if (Object.keys(mutable).length > 0) await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: mutable }));
    return QueueUrl;
  }
};

/**
 * Creates the queues of serverless.yml for a stage, dead-letter queues first, then the queues that
 * redrive to them (with the DLQ's ARN from GetQueueAttributes). Existing queues are reused.
 */
export const createQueues = async (client: SQSClient, stage: string): Promise<{ jobsQueueUrl: string; dlqUrl: string; urls: Record<string, string> }> => {
  const definitions = queueDefinitions(stage);
  const urls: Record<string, string> = {};
  const arns: Record<string, string> = {};
  const pending = [...definitions];
  while (pending.length > 0) {
    const ready = pending.filter((q) => !q.redrive || urls[q.redrive.deadLetterQueueLogicalId]);
    if (ready.length === 0) throw new Error('serverless.yml: the queues redrive to each other in a cycle.');
    for (const queue of ready) {
      pending.splice(pending.indexOf(queue), 1);
      const attributes = { ...queue.attributes };
      if (queue.redrive) {
        const dlqLogicalId = queue.redrive.deadLetterQueueLogicalId;
        let dlqArn = arns[dlqLogicalId];
        if (!dlqArn) {
          const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: urls[dlqLogicalId], AttributeNames: ['QueueArn'] }));
          dlqArn = Attributes?.QueueArn;
          if (!dlqArn) throw new Error(`No ARN for queue ${queue.redrive.deadLetterQueueName}.`);
          arns[dlqLogicalId] = dlqArn;
        }
        attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.redrive.maxReceiveCount });
      }
      urls[queue.logicalId] = await createQueue(client, queue.name, attributes);
    }
  }
  const jobsQueueUrl = urls.JobsQueue;
  const dlqUrl = urls.JobsDeadLetterQueue;
  if (!jobsQueueUrl || !dlqUrl) throw new Error('serverless.yml must define the JobsQueue and JobsDeadLetterQueue resources.');
  return { jobsQueueUrl, dlqUrl, urls };
};
