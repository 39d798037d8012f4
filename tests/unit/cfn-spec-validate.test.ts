import { validateTemplate } from '../../scripts/cfn-spec-validate.mjs';

/**
 * The offline CloudFormation spec check behind `npm run package:check` (AWS's resource specification
 * as shipped by @aws-cdk/aws-service-spec), on small templates.
 */
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>; Outputs?: Record<string, unknown> };

const validTemplate = (): Template => ({
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs.fifo', FifoQueue: true, VisibilityTimeout: 1800 } },
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'tenants',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
      },
    },
  },
  Outputs: { QueueArn: { Value: { 'Fn::GetAtt': ['Queue', 'Arn'] } } },
});

const table = (template: Template) => template.Resources.Table!.Properties!;
const queue = (template: Template) => template.Resources.Queue!.Properties!;

describe('validateTemplate', () => {
  it('passes a valid template', async () => {
    // Act
    const problems = await validateTemplate(validTemplate());

    // Assess
    expect(problems).toEqual([]);
  });

  it('names a misspelt property and suggests the known one', async () => {
    // Prepare
    const template = validTemplate();
    queue(template).VisibilityTimout = 30;

    // Act
    const problems = await validateTemplate(template);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('Queue (AWS::SQS::Queue)');
    expect(problems[0]).toContain('VisibilityTimout');
    expect(problems[0]).toContain("did you mean 'VisibilityTimeout'");
  });

  it('names an unknown resource type and suggests the closest', async () => {
    // Prepare
    const template = validTemplate();
    template.Resources.Queue!.Type = 'AWS::SQS::Queues';

    // Act
    const problems = await validateTemplate(template);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^Queue \(AWS::SQS::Queues\): unknown resource type 'AWS::SQS::Queues'; did you mean 'AWS::SQS::Queue'\?$/)]);
  });

  it('names a missing required property', async () => {
    // Prepare
    const template = validTemplate();
    delete table(template).KeySchema;

    // Act
    const problems = await validateTemplate(template);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^Table \(AWS::DynamoDB::Table\): .*missing the required property 'KeySchema'/)]);
  });

  it('checks the properties of nested objects, lists of them and their required properties', async () => {
    // Prepare
    const template = validTemplate();
    table(template).AttributeDefinitions = [{ AttributeName: 'tenantId', AttribteType: 'S' }];
    table(template).KeySchema = [{ AttributeName: 'tenantId' }];

    // Act
    const problems = await validateTemplate(template);

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Properties\.AttributeDefinitions\[0\]\.AttribteType of AttributeDefinition; did you mean 'AttributeType'\?/),
        expect.stringMatching(/Properties\.AttributeDefinitions\[0\] is missing the required property 'AttributeType'/),
        expect.stringMatching(/Properties\.KeySchema\[0\] is missing the required property 'KeyType'/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('names a value of the wrong shape', async () => {
    // Prepare
    const template = validTemplate();
    table(template).AttributeDefinitions = { AttributeName: 'tenantId', AttributeType: 'S' };

    // Act
    const problems = await validateTemplate(template);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/Properties\.AttributeDefinitions must be a list of AttributeDefinition, not an object/)]);
  });

  it('names a Ref to a missing resource, wherever it is', async () => {
    // Prepare
    const template = validTemplate();
    queue(template).QueueName = { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, { Ref: 'Tabel' }]] };
    template.Outputs!.TableName = { Value: { Ref: 'Nothing' } };

    // Act
    const problems = await validateTemplate(template);

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^Queue: Properties\.QueueName\[1\]\[1\]: Ref to 'Tabel', which is no resource.*; did you mean 'Table'\?$/),
      expect.stringMatching(/^Output TableName: Value: Ref to 'Nothing', which is no resource/),
    ]);
  });

  it('names an Fn::GetAtt attribute the resource type does not have, in either form and in Fn::Sub', async () => {
    // Prepare
    const template = validTemplate();
    template.Outputs = {
      A: { Value: { 'Fn::GetAtt': ['Queue', 'Arnn'] } },
      B: { Value: { 'Fn::GetAtt': 'Table.StreamArn' } },
      C: { Value: { 'Fn::Sub': '${Table.Name}' } },
      D: { Value: { 'Fn::GetAtt': ['Missing', 'Arn'] } },
    };

    // Act
    const problems = await validateTemplate(template);

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^Output A: Value: Fn::GetAtt Queue\.Arnn, but AWS::SQS::Queue has no attribute 'Arnn'; did you mean 'Arn'\?$/),
      expect.stringMatching(/^Output C: Value \(Fn::Sub\): Fn::GetAtt Table\.Name, but AWS::DynamoDB::Table has no attribute 'Name'/),
      expect.stringMatching(/^Output D: Value: Fn::GetAtt on 'Missing', which is no resource/),
    ]);
  });

  it('accepts intrinsic functions wherever a value goes', async () => {
    // Prepare
    const template: Template = {
      ...validTemplate(),
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
      Parameters: { Stage: { Type: 'String' } },
    } as Template;
    Object.assign(queue(template), {
      QueueName: { 'Fn::Sub': ['${AWS::StackName}-${Suffix}-${!Literal}', { Suffix: { Ref: 'Stage' } }] },
      VisibilityTimeout: { 'Fn::If': ['IsProd', 1800, { Ref: 'AWS::NoValue' }] },
      KmsMasterKeyId: { 'Fn::ImportValue': 'shared-key' },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::Select': [0, { 'Fn::Split': [',', { 'Fn::Base64': 'x' }] }] }, maxReceiveCount: 5 },
      Tags: [{ Key: 'region', Value: { 'Fn::Select': [0, { 'Fn::GetAZs': { Ref: 'AWS::Region' } }] } }, { 'Fn::FindInMap': ['Tags', 'Extra', 'Tag'] }],
    });
    table(template).KeySchema = { 'Fn::If': ['IsProd', [{ AttributeName: 'tenantId', KeyType: 'HASH' }], { Ref: 'AWS::NoValue' }] };
    table(template).AttributeDefinitions = [{ AttributeName: { Ref: 'Stage' }, AttributeType: 'S' }];

    // Act
    const problems = await validateTemplate(template);

    // Assess
    expect(problems).toEqual([]);
  });
});
