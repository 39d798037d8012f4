/** Types for scripts/cfn-spec-validate.mjs (plain ESM, not type-checked itself), for the tests that import it. */

/** The spec database (a SpecDatabase of @aws-cdk/service-spec-types) and its resources by CloudFormation type, loaded once. */
export declare function loadCfnSpec(): Promise<{ db: unknown; byType: Map<string, unknown>; typeNames: string[] }>;

/** Every problem AWS's CloudFormation resource specification finds in a parsed template, one line each; [] when valid. */
export declare function validateTemplate(template: unknown): Promise<string[]>;
