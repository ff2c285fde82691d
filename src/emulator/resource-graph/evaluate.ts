// Evaluates a parsed KQL query over rows (plain JSON objects). Semantics follow the Kusto docs for the
// operators of the subset: string operators `has`, `contains`, `startswith`, `endswith`, `=~`, `in~` ignore
// case; `==`, `!=`, `in` do not; `order by` sorts descending unless `asc` is given; a missing property
// is null. https://learn.microsoft.com/kusto/query/datatypes-string-operators
import { errorAt, type Expression, type Query } from "./parser.js";

export type Row = Record<string, unknown>;

function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === "";
}

/** tostring(): strings as they are, null as "", dynamic values as compact JSON. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** KQL's `has`: the term occurs delimited by non-alphanumeric characters (ignoring case). */
function hasTerm(haystack: string, term: string): boolean {
  if (term === "") return true;
  const text = haystack.toLowerCase();
  const wanted = term.toLowerCase();
  let from = 0;
  for (;;) {
    const at = text.indexOf(wanted, from);
    if (at === -1) return false;
    const before = at === 0 ? "" : text[at - 1]!;
    const after = text[at + wanted.length] ?? "";
    if (!/[a-z0-9_]/.test(before) && !/[a-z0-9_]/.test(after)) return true;
    from = at + 1;
  }
}

function equalValues(left: unknown, right: unknown, ignoreCase: boolean): boolean {
  if (left === null || left === undefined || right === null || right === undefined) return (left ?? null) === (right ?? null);
  if (typeof left === "string" || typeof right === "string") {
    const a = toText(left);
    const b = toText(right);
    return ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b;
  }
  if (typeof left === "object" || typeof right === "object") return JSON.stringify(left) === JSON.stringify(right);
  return left === right;
}

function compareValues(left: unknown, right: unknown): number {
  const a = left ?? null;
  const b = right ?? null;
  if (a === null && b === null) return 0;
  // Nulls sort first ascending (last descending), as in Kusto's default.
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  const x = toText(a);
  const y = toText(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class Evaluator {
  private readonly query: string;

  constructor(query: string) {
    this.query = query;
  }

  value(expression: Expression, row: Row): unknown {
    switch (expression.kind) {
      case "literal":
        return expression.value;
      case "column": {
        if (!(expression.name in row)) {
          throw errorAt(this.query, expression.offset, `The name '${expression.name}' does not refer to any known column.`, expression.name, "EvaluationFailure");
        }
        return row[expression.name];
      }
      case "member": {
        const target = this.value(expression.target, row);
        if (target === null || typeof target !== "object" || Array.isArray(target)) return null;
        return (target as Record<string, unknown>)[expression.name] ?? null;
      }
      case "index": {
        const target = this.value(expression.target, row);
        const index = this.value(expression.index, row);
        if (Array.isArray(target) && typeof index === "number") return target[index < 0 ? target.length + index : index] ?? null;
        if (target !== null && typeof target === "object" && typeof index === "string") return (target as Record<string, unknown>)[index] ?? null;
        return null;
      }
      case "unary": {
        const operand = this.value(expression.operand, row);
        if (expression.operator === "-") return typeof operand === "number" ? -operand : null;
        return !this.truth(operand);
      }
      case "call":
        return this.call(expression, row);
      case "in": {
        const left = this.value(expression.left, row);
        const ignoreCase = expression.operator.endsWith("~");
        const negate = expression.operator.startsWith("!");
        const candidates = expression.list.flatMap((item) => {
          const value = this.value(item, row);
          return Array.isArray(value) ? value : [value];
        });
        const found = candidates.some((candidate) => equalValues(left, candidate, ignoreCase));
        return negate ? !found : found;
      }
      case "binary":
        return this.binary(expression, row);
    }
  }

  truth(value: unknown): boolean {
    return value === true;
  }

  private call(expression: Extract<Expression, { kind: "call" }>, row: Row): unknown {
    const args = expression.args.map((arg) => this.value(arg, row));
    const [first] = args;
    switch (expression.name) {
      case "tolower":
        return first === null || first === undefined ? null : toText(first).toLowerCase();
      case "toupper":
        return first === null || first === undefined ? null : toText(first).toUpperCase();
      case "tostring":
        return toText(first);
      case "isnotempty":
        return !isEmptyValue(first);
      case "isempty":
        return isEmptyValue(first);
      case "isnull":
        return first === null || first === undefined;
      case "isnotnull":
        return !(first === null || first === undefined);
      case "not":
        return !this.truth(first);
      case "array_length":
        return Array.isArray(first) ? first.length : null;
      case "strcat":
        return args.map(toText).join("");
      default:
        throw errorAt(this.query, expression.offset, `The function '${expression.name}' is not in the subset.`, expression.name, "UnsupportedFunction");
    }
  }

  private binary(expression: Extract<Expression, { kind: "binary" }>, row: Row): unknown {
    if (expression.operator === "and") return this.truth(this.value(expression.left, row)) && this.truth(this.value(expression.right, row));
    if (expression.operator === "or") return this.truth(this.value(expression.left, row)) || this.truth(this.value(expression.right, row));
    const left = this.value(expression.left, row);
    const right = this.value(expression.right, row);
    const negate = expression.operator.startsWith("!") && expression.operator !== "!=" && expression.operator !== "!~";
    const word = negate ? expression.operator.slice(1) : expression.operator;
    let result: unknown;
    switch (word) {
      case "==":
        result = equalValues(left, right, false);
        break;
      case "!=":
        result = !equalValues(left, right, false);
        break;
      case "=~":
        result = equalValues(left, right, true);
        break;
      case "!~":
        result = !equalValues(left, right, true);
        break;
      case "<":
        result = compareValues(left, right) < 0;
        break;
      case ">":
        result = compareValues(left, right) > 0;
        break;
      case "<=":
        result = compareValues(left, right) <= 0;
        break;
      case ">=":
        result = compareValues(left, right) >= 0;
        break;
      case "has":
        result = hasTerm(toText(left), toText(right));
        break;
      case "contains":
        result = toText(left).toLowerCase().includes(toText(right).toLowerCase());
        break;
      case "startswith":
        result = toText(left).toLowerCase().startsWith(toText(right).toLowerCase());
        break;
      case "endswith":
        result = toText(left).toLowerCase().endsWith(toText(right).toLowerCase());
        break;
      case "+":
      case "-":
        if (typeof left !== "number" || typeof right !== "number") return null;
        return word === "+" ? left + right : left - right;
      default:
        throw errorAt(this.query, expression.offset, `The operator '${expression.operator}' is not in the subset.`, expression.operator, "UnsupportedOperator");
    }
    return negate ? !result : result;
  }
}

/** Runs the operators after the table over its rows. Columns keep their order (project, extend, summarize). */
export function evaluate(query: Query, text: string, rows: Row[]): Row[] {
  const evaluator = new Evaluator(text);
  let current = rows;
  for (const operator of query.operators) {
    switch (operator.kind) {
      case "where":
        current = current.filter((row) => evaluator.truth(evaluator.value(operator.predicate, row)));
        break;
      case "project":
        current = current.map((row) => {
          const result: Row = {};
          for (const column of operator.columns) result[column.name] = evaluator.value(column.expression, row) ?? null;
          return result;
        });
        break;
      case "extend":
        current = current.map((row) => {
          const result: Row = { ...row };
          for (const column of operator.columns) result[column.name] = evaluator.value(column.expression, result) ?? null;
          return result;
        });
        break;
      case "mv-expand": {
        const { name, expression } = operator.column;
        const expanded: Row[] = [];
        for (const row of current) {
          const value = evaluator.value(expression, row);
          // Unverified against the service: a null or empty array yields no row here.
          const items = Array.isArray(value)
            ? value
            : value !== null && typeof value === "object"
              ? Object.entries(value).map(([key, item]) => ({ [key]: item }))
              : value === null || value === undefined
                ? []
                : [value];
          for (const item of items) expanded.push({ ...row, [name]: item });
        }
        current = expanded;
        break;
      }
      case "summarize": {
        const groups = new Map<string, { keys: unknown[]; count: number }>();
        for (const row of current) {
          const keys = operator.by.map((column) => evaluator.value(column.expression, row) ?? null);
          const key = JSON.stringify(keys);
          const group = groups.get(key);
          if (group) group.count++;
          else groups.set(key, { keys, count: 1 });
        }
        if (operator.by.length === 0 && groups.size === 0) groups.set("[]", { keys: [], count: 0 });
        current = [...groups.values()].map((group) => {
          const result: Row = {};
          operator.by.forEach((column, index) => (result[column.name] = group.keys[index]));
          for (const aggregate of operator.aggregates) result[aggregate.name] = group.count;
          return result;
        });
        break;
      }
      case "order": {
        const keyed = current.map((row, position) => ({ row, position, keys: operator.keys.map((key) => evaluator.value(key.expression, row)) }));
        keyed.sort((a, b) => {
          for (let index = 0; index < operator.keys.length; index++) {
            const order = compareValues(a.keys[index], b.keys[index]);
            if (order !== 0) return operator.keys[index]!.descending ? -order : order;
          }
          return a.position - b.position;
        });
        current = keyed.map((entry) => entry.row);
        break;
      }
      case "take":
        current = current.slice(0, operator.count);
        break;
      case "count":
        current = [{ Count: current.length }];
        break;
    }
  }
  return current;
}
