import { loadConfig } from '../../lib/config.js';
import { loadServerlessYml, queueDefinitions, resolveVariables, tableDefinitions } from '../../dev/aws-resources.js';

/**
 * A fast guard on serverless.yml itself; `npm run package:check` checks the packaged template
 * (including what the framework adds) the same way.
 */
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every IAM statement of every role in serverless.yml's resources, by role. */
const statementsByRole = (stage: string): Map<string, Statement[]> => {
  const document = loadServerlessYml();
  const resources = resolveVariables(document.resources ?? null, document, { stage, region: 'us-east-1' }) as unknown as {
    Resources: Record<string, { Type: string; Properties: { Policies?: { PolicyDocument: { Statement: Statement[] } }[] } }>;
  };
  const roles = new Map<string, Statement[]>();
  for (const [id, resource] of Object.entries(resources.Resources)) {
    if (resource.Type === 'AWS::IAM::Role') roles.set(id, (resource.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement));
  }
  return roles;
};

const secretActions = (statements: Statement[]) => statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));

describe('serverless.yml', () => {
  it('gives every function its own role, granting nothing on every resource (but listing secrets, which has no resource to name)', () => {
    // Act
    const roles = statementsByRole('ci');

    // Assess
    expect([...roles.keys()].sort()).toEqual(['AdminRole', 'ChangesApiRole', 'ConnectRole', 'SchedulerRole', 'WebhookRole', 'WorkerRole']);
    for (const [role, statements] of roles) {
      for (const statement of statements) {
        if (asArray(statement.Resource).includes('*')) {
          // Secrets Manager's ListSecrets takes no resource; it shows names and dates, never a value.
          expect({ role, actions: asArray(statement.Action) }).toEqual({ role: 'SchedulerRole', actions: ['secretsmanager:ListSecrets'] });
        }
      }
    }
    for (const statement of [...roles.values()].flat().filter((s) => !asArray(s.Action).every((a) => a === 'secretsmanager:ListSecrets'))) {
      for (const resource of asArray(statement.Resource)) {
        expect(resource).not.toBe('*');
        if (typeof resource === 'string') expect(resource).not.toMatch(/^\*|:\*$/);
      }
      for (const action of asArray(statement.Action)) expect(action).not.toMatch(/\*/);
    }
  });

  it("scopes secrets: the webhook only reads, the worker only rotates OAuth grants, the connect page registers (and keeps links' incomplete credentials apart), only the admin API deletes tenants' secrets", () => {
    // Act
    const roles = statementsByRole('prod');
    const prefix = { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:bamboohr-sync/prod/tenants/*' };
    const oauthClient = { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:bamboohr-sync/prod/oauth-client-*' };
    const connecting = { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:bamboohr-sync/prod/connect/*' };
    const actionsOn = (role: string, resource: unknown) =>
      secretActions(roles.get(role)!)
        .filter((s) => asArray(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(resource)))
        .flatMap((s) => asArray(s.Action))
        .sort();

    // Assess: every secret statement is on the stage's tenant secrets, its OAuth app's secret or the connect links' kept credentials, nothing else
    for (const statement of [...roles.values()].flatMap(secretActions).filter((s) => !asArray(s.Action).every((a) => a === 'secretsmanager:ListSecrets'))) {
      for (const resource of asArray(statement.Resource)) expect([JSON.stringify(prefix), JSON.stringify(oauthClient), JSON.stringify(connecting)]).toContain(JSON.stringify(resource));
    }
    // The connect links' kept credentials: the connect function's only (and it may delete them, not tenants' secrets)
    expect(actionsOn('ConnectRole', connecting)).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:TagResource',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
    for (const role of ['WorkerRole', 'AdminRole', 'WebhookRole', 'ChangesApiRole']) expect(actionsOn(role, connecting)).toEqual([]);
    // The scheduler deletes the kept credentials of links that expired unused: it lists secrets' names and dates, and deletes only there
    expect(actionsOn('SchedulerRole', connecting)).toEqual(['secretsmanager:DeleteSecret']);
    expect(secretActions(roles.get('SchedulerRole')!).flatMap((s) => asArray(s.Action)).sort()).toEqual(['secretsmanager:DeleteSecret', 'secretsmanager:ListSecrets']);
    expect(actionsOn('WebhookRole', prefix)).toEqual(['secretsmanager:GetSecretValue']);
    expect(actionsOn('WorkerRole', prefix)).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']);
    expect(actionsOn('ConnectRole', prefix)).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:TagResource',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
    expect(actionsOn('AdminRole', prefix)).toEqual(expect.arrayContaining(['secretsmanager:DeleteSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']));
    // The OAuth app's client secret: read only, by those that talk OAuth to BambooHR
    for (const role of ['WorkerRole', 'AdminRole', 'ConnectRole']) expect(actionsOn(role, oauthClient)).toEqual(['secretsmanager:GetSecretValue']);
    expect(secretActions(roles.get('ChangesApiRole')!)).toEqual([]);
    expect(actionsOn('SchedulerRole', prefix)).toEqual([]);
    expect(actionsOn('SchedulerRole', oauthClient)).toEqual([]);
    expect(actionsOn('WebhookRole', oauthClient)).toEqual([]);
  });

  it('lets the change-feed API the product calls only read, and never the runs or secrets', () => {
    // Act
    const changesApi = statementsByRole('prod').get('ChangesApiRole')!;

    // Assess
    const actions = changesApi.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('dynamodb:'));
    expect(actions.sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(JSON.stringify(changesApi)).not.toContain('RunsTable');
  });

  it('names the tables and queues after the stage, as lib/config.ts expects', () => {
    // Act
    const tables = tableDefinitions({ stage: 'prod' }).map((t) => t.input.TableName);
    const queues = queueDefinitions('prod').map((q) => q.name);

    // Assess
    expect([...tables].sort()).toEqual(Object.values(loadConfig({ STAGE: 'prod' }).tables).sort());
    expect(tables).toEqual(expect.arrayContaining(['bamboohr-sync-prod-tenants', 'bamboohr-sync-prod-employees', 'bamboohr-sync-prod-changes', 'bamboohr-sync-prod-runs']));
    expect(queues).toEqual(['bamboohr-sync-prod-jobs.fifo', 'bamboohr-sync-prod-jobs-dlq.fifo']);
  });
});
