/**
 * Validates a CloudFormation template against AWS's own resource specification, offline: the database
 * that `@aws-cdk/aws-service-spec` ships (built from CloudFormation's registry schemas; the CDK generates its L1s from it).
 *
 * For every resource: its Type exists; every property (and every property of nested objects the spec
 * describes: type definitions, lists and maps of them, tags) is one the spec knows; every property the
 * spec marks required is there; a value has the right shape (a list, an object or a scalar). Intrinsic
 * functions are accepted wherever a value goes and not type-checked. Across the template: every Ref,
 * Fn::GetAtt, Fn::Sub variable, DependsOn and Condition names something that exists, and Fn::GetAtt asks
 * for an attribute the spec lists for that type (when it lists any).
 *
 *   import { validateTemplate } from './cfn-spec-validate.mjs';
 *   const problems = await validateTemplate(template); // one line per problem, [] when valid
 */
import awsServiceSpec from '@aws-cdk/aws-service-spec';

const { loadAwsServiceSpec } = awsServiceSpec;

// ------------------------------------------------------------------ the spec, loaded once

let loading;

/** The spec database (loaded on the first call, ~1 s; every later call gets the same one). */
export const loadCfnSpec = () => {
  loading ??= loadAwsServiceSpec().then((db) => {
    const byType = new Map(db.all('resource').map((resource) => [resource.cloudFormationType, resource]));
    return { db, byType, typeNames: [...byType.keys()] };
  });
  return loading;
};

// ------------------------------------------------------------------ template vocabulary

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);
const TEMPLATE_SECTIONS = ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs'];
const RESOURCE_KEYS = ['Type', 'Properties', 'DependsOn', 'Metadata', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'CreationPolicy', 'UpdatePolicy'];
const OUTPUT_KEYS = ['Description', 'Value', 'Export', 'Condition'];
const CUSTOM_RESOURCE = 'AWS::CloudFormation::CustomResource';

const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** `{ "Ref": ... }` or `{ "Fn::...": ... }`: a value CloudFormation computes, accepted wherever a value goes. */
const isIntrinsic = (value) => {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
};

const isCustomType = (type) => type === CUSTOM_RESOURCE || type.startsWith('Custom::');

// ------------------------------------------------------------------ suggestions

const editDistance = (a, b) => {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
};

/** "; did you mean 'X'?" for the closest candidate within a few edits (case ignored), otherwise ".". */
const suggest = (name, candidates) => {
  const wanted = String(name).toLowerCase();
  let best;
  let bestDistance = Math.min(Math.max(2, Math.floor(wanted.length / 3)), wanted.length - 1) + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - wanted.length) >= bestDistance) continue; // cannot be closer
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined ? '.' : `; did you mean '${best}'?`;
};

/** The closest candidate, or else (when there are only a few) the list of them. */
const suggestOrList = (name, candidates) => {
  const hint = suggest(name, candidates);
  return hint === '.' && candidates.length > 0 && candidates.length <= 12 ? `; it has ${candidates.join(', ')}.` : hint;
};

// ------------------------------------------------------------------ property values against the spec

const shapeOf = (value) => (value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value === 'object' ? 'object' : 'scalar');

/** The shape of value a spec type takes ('any' for free-form JSON). */
const shapeOfType = (type) => {
  switch (type.type) {
    case 'array':
      return 'list';
    case 'ref':
    case 'map':
    case 'tag':
      return 'object';
    case 'json':
      return 'any';
    case 'null':
      return 'null';
    default:
      return 'scalar'; // string, number, integer, boolean, date-time
  }
};

const describeType = (spec, type) => {
  switch (type.type) {
    case 'array':
      return `a list of ${describeType(spec, type.element)}`;
    case 'map':
      return `a map of ${describeType(spec, type.element)}`;
    case 'ref':
      return spec.db.get('typeDefinition', type.reference.$ref).name;
    case 'tag':
      return 'Tag';
    case 'union':
      return type.types.map((t) => describeType(spec, t)).join(' or ');
    default:
      return type.type;
  }
};

/**
 * Checks `value` (at `path` inside resource `where`) against spec type `type`, adding one line per problem.
 * A union takes the value if any of its members of the value's shape does (free-form JSON members only
 * take shapes no described member has, so a described list is still checked item by item).
 */
const checkValue = (spec, value, type, where, path, problems) => {
  if (isIntrinsic(value)) return;
  if (type.type === 'union') {
    const candidates = type.types.filter((member) => shapeOfType(member) === shapeOf(value));
    if (candidates.length === 0) {
      if (type.types.some((member) => member.type === 'json')) return;
      problems.push(`${where}: ${path} must be ${describeType(spec, type)}, not ${JSON.stringify(value)}.`);
      return;
    }
    let fewest;
    for (const member of candidates) {
      const found = [];
      checkValue(spec, value, member, where, path, found);
      if (found.length === 0) return;
      if (!fewest || found.length < fewest.length) fewest = found;
    }
    problems.push(...fewest);
    return;
  }
  const expected = shapeOfType(type);
  if (expected === 'any') return;
  if (expected !== shapeOf(value)) {
    const shown = { scalar: JSON.stringify(value), list: 'a list', object: 'an object', null: 'null' }[shapeOf(value)];
    problems.push(`${where}: ${path} must be ${describeType(spec, type)}, not ${shown}.`);
    return;
  }
  switch (type.type) {
    case 'array':
      value.forEach((item, i) => checkValue(spec, item, type.element, where, `${path}[${i}]`, problems));
      return;
    case 'map':
      for (const [key, item] of Object.entries(value)) checkValue(spec, item, type.element, where, `${path}.${key}`, problems);
      return;
    case 'tag':
      checkProperties(spec, value, { Key: { required: true, type: { type: 'string' } }, Value: { required: true, type: { type: 'string' } } }, where, path, 'Tag', problems);
      return;
    case 'ref': {
      const definition = spec.db.get('typeDefinition', type.reference.$ref);
      checkProperties(spec, value, definition.properties, where, path, definition.name, problems);
      return;
    }
    default:
      return;
  }
};

/**
 * Checks an object's property names, required properties and values against the spec's `properties`
 * (`typeName` names the spec's type definition in messages; none for a resource's own Properties).
 */
const checkProperties = (spec, object, properties, where, path, typeName, problems) => {
  const known = Object.keys(properties);
  const of = typeName ? ` of ${typeName}` : '';
  for (const [name, value] of Object.entries(object)) {
    const property = properties[name];
    if (!property) {
      problems.push(`${where}: unknown property ${path}.${name}${of}${suggestOrList(name, known)}`);
      continue;
    }
    checkValue(spec, value, property.type, where, `${path}.${name}`, problems);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in object)) problems.push(`${where}: ${path} is missing the required property '${name}'${of}.`);
  }
};

// ------------------------------------------------------------------ resources, outputs and sections

const checkSections = (template) => {
  const problems = [];
  for (const section of Object.keys(template)) {
    if (!TEMPLATE_SECTIONS.includes(section)) problems.push(`Template: unknown top-level section '${section}'${suggest(section, TEMPLATE_SECTIONS)}`);
  }
  if (!isPlainObject(template.Resources) || Object.keys(template.Resources).length === 0) problems.push('Template: Resources must name at least one resource.');
  return problems;
};

const checkResources = (spec, template) => {
  const problems = [];
  const transforms = [template.Transform ?? []].flat();
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (!isPlainObject(resource)) {
      problems.push(`${logicalId}: must be an object with a Type.`);
      continue;
    }
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.includes(key)) problems.push(`${logicalId}: unknown resource attribute '${key}'${suggest(key, RESOURCE_KEYS)}`);
    }
    const { Type: type, Properties: properties = {} } = resource;
    if (typeof type !== 'string') {
      problems.push(`${logicalId}: has no Type.`);
      continue;
    }
    const where = `${logicalId} (${type})`;
    if (!isPlainObject(properties)) {
      if (!isIntrinsic(properties)) problems.push(`${where}: Properties must be an object.`);
      continue;
    }
    if (type.startsWith('Custom::')) {
      // A custom resource takes any properties of its own; CloudFormation needs only the ServiceToken.
      if (!('ServiceToken' in properties)) problems.push(`${where}: Properties is missing the required property 'ServiceToken'.`);
      continue;
    }
    const definition = spec.byType.get(type);
    if (!definition) {
      problems.push(`${where}: unknown resource type '${type}'${suggest(type, spec.typeNames)}`);
      continue;
    }
    if (definition.cloudFormationTransform && !transforms.includes(definition.cloudFormationTransform)) {
      problems.push(`${where}: needs the template's Transform to include ${definition.cloudFormationTransform}.`);
    }
    if (type === CUSTOM_RESOURCE) {
      if (!('ServiceToken' in properties)) problems.push(`${where}: Properties is missing the required property 'ServiceToken'.`);
      continue;
    }
    checkProperties(spec, properties, definition.properties, where, 'Properties', undefined, problems);
  }
  return problems;
};

const checkOutputs = (template) => {
  const problems = [];
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (!isPlainObject(output)) {
      problems.push(`Output ${name}: must be an object with a Value.`);
      continue;
    }
    for (const key of Object.keys(output)) {
      if (!OUTPUT_KEYS.includes(key)) problems.push(`Output ${name}: unknown key '${key}'${suggest(key, OUTPUT_KEYS)}`);
    }
    if (!('Value' in output)) problems.push(`Output ${name}: has no Value.`);
    if ('Export' in output && !(isPlainObject(output.Export) && 'Name' in output.Export)) problems.push(`Output ${name}: Export must have a Name.`);
  }
  return problems;
};

// ------------------------------------------------------------------ references

/** `${Name}` and `${Name.Attribute}` in an Fn::Sub string (`${!Literal}` is text, not a variable). */
const subVariables = (text) => [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((match) => match[1].trim());

/**
 * Every Ref, Fn::GetAtt, Fn::Sub variable, DependsOn and Condition in Resources, Outputs and Conditions
 * names something that exists; Fn::GetAtt asks for an attribute the spec lists for the resource's type.
 */
const checkReferences = (spec, template) => {
  const problems = [];
  const resources = template.Resources ?? {};
  const parameters = Object.keys(template.Parameters ?? {});
  const conditions = Object.keys(template.Conditions ?? {});
  const resourceIds = Object.keys(resources);
  const refTargets = [...resourceIds, ...parameters, ...PSEUDO_PARAMETERS];

  const checkRef = (name, at, targets = refTargets) => {
    if (typeof name !== 'string') return; // computed: not ours to check
    if (!targets.includes(name)) {
      const what = targets === refTargets ? 'no resource, parameter or pseudo parameter' : 'no parameter or pseudo parameter (all a condition may Ref)';
      problems.push(`${at}: Ref to '${name}', which is ${what}${suggest(name, targets)}`);
    }
  };
  const checkGetAtt = (logicalId, attribute, at) => {
    if (typeof logicalId !== 'string') return;
    const resource = resources[logicalId];
    if (!resource) {
      problems.push(`${at}: Fn::GetAtt on '${logicalId}', which is no resource${suggest(logicalId, resourceIds)}`);
      return;
    }
    if (typeof attribute !== 'string' || typeof resource.Type !== 'string' || isCustomType(resource.Type)) return;
    if (resource.Type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) return;
    const attributes = Object.keys(spec.byType.get(resource.Type)?.attributes ?? {});
    if (attributes.length > 0 && !attributes.includes(attribute)) {
      problems.push(`${at}: Fn::GetAtt ${logicalId}.${attribute}, but ${resource.Type} has no attribute '${attribute}'${suggestOrList(attribute, attributes)}`);
    }
  };
  const checkSub = (sub, at, targets) => {
    const [text, variables] = Array.isArray(sub) ? sub : [sub, {}];
    if (typeof text !== 'string') return;
    const locals = isPlainObject(variables) ? Object.keys(variables) : [];
    for (const variable of subVariables(text)) {
      if (locals.includes(variable)) continue;
      const dot = variable.indexOf('.');
      if (dot < 0) checkRef(variable, `${at} (Fn::Sub)`, targets);
      else checkGetAtt(variable.slice(0, dot), variable.slice(dot + 1), `${at} (Fn::Sub)`);
    }
  };
  const checkCondition = (name, at) => {
    if (typeof name === 'string' && !conditions.includes(name)) {
      problems.push(`${at}: condition '${name}' is not defined in Conditions${suggest(name, conditions)}`);
    }
  };

  /** Checks every reference under `node`; `at` is "<where>: <path>", `inConditions` for the Conditions section. */
  const walk = (node, at, inConditions = false) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${at}[${i}]`, inConditions));
      return;
    }
    if (!isPlainObject(node)) return;
    const targets = inConditions ? conditionRefTargets : refTargets;
    if (isIntrinsic(node)) {
      if ('Ref' in node) checkRef(node.Ref, at, targets);
      if ('Fn::Sub' in node) checkSub(node['Fn::Sub'], at, targets);
      if ('Fn::If' in node && Array.isArray(node['Fn::If'])) checkCondition(node['Fn::If'][0], at);
      const target = node['Fn::GetAtt'];
      if (Array.isArray(target)) checkGetAtt(target[0], target[1], at);
      else if (typeof target === 'string') {
        const dot = target.indexOf('.');
        if (dot < 0) problems.push(`${at}: Fn::GetAtt '${target}' must be [LogicalId, Attribute] or 'LogicalId.Attribute'.`);
        else checkGetAtt(target.slice(0, dot), target.slice(dot + 1), at);
      }
    } else if (inConditions && Object.keys(node).length === 1 && 'Condition' in node) {
      checkCondition(node.Condition, at); // { "Condition": "Other" } inside Fn::And, Fn::Or, Fn::Not
    }
    for (const [key, value] of Object.entries(node)) walk(value, key.startsWith('Fn::') || key === 'Ref' ? at : `${at}.${key}`, inConditions);
  };

  const conditionRefTargets = [...parameters, ...PSEUDO_PARAMETERS];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isPlainObject(resource)) continue;
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      if (!resourceIds.includes(dependency)) problems.push(`${logicalId}: DependsOn '${dependency}', which is no resource${suggest(dependency, resourceIds)}`);
    }
    if (resource.Condition !== undefined) checkCondition(resource.Condition, logicalId);
    walk(resource.Properties, `${logicalId}: Properties`);
    walk(resource.Metadata, `${logicalId}: Metadata`);
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (!isPlainObject(output)) continue;
    if (output.Condition !== undefined) checkCondition(output.Condition, `Output ${name}`);
    walk(output.Value, `Output ${name}: Value`);
    walk(output.Export, `Output ${name}: Export`);
  }
  for (const [name, condition] of Object.entries(template.Conditions ?? {})) walk(condition, `Condition ${name}`, true);
  return problems;
};

// ------------------------------------------------------------------ entry point

/** Every problem the spec finds in `template` (a parsed CloudFormation template), one line each. */
export const validateTemplate = async (template) => {
  if (!isPlainObject(template)) return ['Template: must be a JSON object.'];
  const spec = await loadCfnSpec();
  return [...checkSections(template), ...checkResources(spec, template), ...checkReferences(spec, template), ...checkOutputs(template)];
};
