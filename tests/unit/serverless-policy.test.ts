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

const statements = (stage: string): Statement[] => {
  const document = loadServerlessYml();
  const provider = resolveVariables(document.provider ?? null, document, { stage, region: 'us-east-1' }) as unknown as {
    iam: { role: { statements: Statement[] } };
  };
  return provider.iam.role.statements;
};

describe('serverless.yml', () => {
  it('grants nothing on every resource', () => {
    // Act
    const granted = statements('ci');

    // Assess
    for (const statement of granted) {
      for (const resource of asArray(statement.Resource)) {
        expect(resource).not.toBe('*');
        if (typeof resource === 'string') expect(resource).not.toMatch(/^\*|:\*$/);
      }
      for (const action of asArray(statement.Action)) expect(action).not.toMatch(/\*/);
    }
  });

  it('lets the functions only read the secrets of their stage', () => {
    // Act
    const secrets = statements('prod').filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));

    // Assess
    expect(secrets).toHaveLength(1);
    expect(asArray(secrets[0]?.Action ?? [])).toEqual(['secretsmanager:GetSecretValue']);
    expect(secrets[0]?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:bamboohr-sync/prod/tenants/*' },
    ]);
  });

  it('names the tables and queues after the stage, as lib/config.ts expects', () => {
    // Act
    const tables = tableDefinitions({ stage: 'prod' }).map((t) => t.input.TableName);
    const queues = queueDefinitions('prod').map((q) => q.name);

    // Assess
    expect(tables).toEqual(['bamboohr-sync-prod-tenants', 'bamboohr-sync-prod-employees', 'bamboohr-sync-prod-changes', 'bamboohr-sync-prod-runs']);
    expect(queues).toEqual(['bamboohr-sync-prod-jobs.fifo', 'bamboohr-sync-prod-jobs-dlq.fifo']);
  });
});
