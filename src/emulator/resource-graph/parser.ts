// A parser for the subset of the Kusto Query Language (KQL) that Azure Resource Graph answers and akspol
// sends. Anything outside the subset is refused with its position, as the service refuses a query it
// cannot parse (README "Resource Graph in the emulator" lists the subset).
// KQL reference: https://learn.microsoft.com/kusto/query/ ; ARG's dialect:
// https://learn.microsoft.com/azure/governance/resource-graph/concepts/query-language

export type KqlErrorKind = "ParserFailure" | "UnsupportedOperator" | "UnsupportedFunction" | "UnknownTable" | "EvaluationFailure";

// No constructor parameter properties here: the emulator also runs under Node's type stripping.
export class KqlError extends Error {
  readonly line: number;
  readonly column: number;
  readonly token: string;
  readonly kind: KqlErrorKind;

  constructor(message: string, line: number, column: number, token: string, kind: KqlErrorKind = "ParserFailure") {
    super(message);
    this.line = line;
    this.column = column;
    this.token = token;
    this.kind = kind;
  }
}

type TokenKind = "identifier" | "string" | "number" | "symbol" | "end";

export interface Token {
  kind: TokenKind;
  text: string;
  value?: string | number;
  offset: number;
}

const SYMBOLS = ["==", "!=", "=~", "!~", "<=", ">=", "|", "(", ")", ",", ".", "[", "]", "=", "<", ">", "-", "+", "*", "/"];

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < query.length) {
    const char = query[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    if (query.startsWith("//", index)) {
      while (index < query.length && query[index] !== "\n") index++;
      continue;
    }
    const start = index;
    if (char === "'" || char === '"' || ((char === "@" || char === "h" || char === "H") && (query[index + 1] === "'" || query[index + 1] === '"'))) {
      const verbatim = char === "@";
      if (char !== "'" && char !== '"') index++;
      const quote = query[index]!;
      index++;
      let text = "";
      for (;;) {
        if (index >= query.length) throw errorAt(query, start, "The string literal is not terminated.", query.slice(start, start + 20));
        const current = query[index]!;
        if (current === quote) {
          index++;
          break;
        }
        if (current === "\\" && !verbatim) {
          const next = query[index + 1];
          const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };
          if (next === undefined || escapes[next] === undefined) throw errorAt(query, index, "Unknown escape sequence in a string literal.", query.slice(index, index + 2));
          text += escapes[next];
          index += 2;
          continue;
        }
        text += current;
        index++;
      }
      tokens.push({ kind: "string", text: query.slice(start, index), value: text, offset: start });
      continue;
    }
    if (/[0-9]/.test(char)) {
      while (index < query.length && /[0-9.]/.test(query[index]!)) index++;
      const text = query.slice(start, index);
      if (!/^\d+(\.\d+)?$/.test(text)) throw errorAt(query, start, `'${text}' is not a number.`, text);
      tokens.push({ kind: "number", text, value: Number(text), offset: start });
      continue;
    }
    if (/[A-Za-z_$]/.test(char) || (char === "!" && /[A-Za-z]/.test(query[index + 1] ?? ""))) {
      index++;
      // Operator words use '-' (mv-expand, project-away) and '~' (in~, !in~).
      while (index < query.length && /[A-Za-z0-9_$]/.test(query[index]!)) index++;
      while (query[index] === "-" && /[A-Za-z]/.test(query[index + 1] ?? "") && isHyphenWord(query.slice(start, index))) {
        index++;
        while (index < query.length && /[A-Za-z0-9_]/.test(query[index]!)) index++;
      }
      if (query[index] === "~") index++;
      tokens.push({ kind: "identifier", text: query.slice(start, index), offset: start });
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => query.startsWith(candidate, index));
    if (symbol === undefined) throw errorAt(query, start, `Unexpected character '${char}'.`, char);
    tokens.push({ kind: "symbol", text: symbol, offset: start });
    index += symbol.length;
  }
  tokens.push({ kind: "end", text: "", offset: query.length });
  return tokens;
}

/** Words that continue with '-' into an operator name (mv-expand, project-away, ...). */
function isHyphenWord(word: string): boolean {
  return ["mv", "project"].includes(word.toLowerCase());
}

export function errorAt(query: string, offset: number, message: string, token: string, kind: KqlErrorKind = "ParserFailure"): KqlError {
  const before = query.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1);
  return new KqlError(`${message} (line ${line}, position ${column})`, line, column, token, kind);
}

// ---- syntax tree ----

export type Expression =
  | { kind: "literal"; value: unknown; offset: number }
  | { kind: "column"; name: string; offset: number }
  | { kind: "member"; target: Expression; name: string; offset: number }
  | { kind: "index"; target: Expression; index: Expression; offset: number }
  | { kind: "call"; name: string; args: Expression[]; offset: number }
  | { kind: "unary"; operator: "not" | "-"; operand: Expression; offset: number }
  | { kind: "binary"; operator: string; left: Expression; right: Expression; offset: number }
  | { kind: "in"; operator: string; left: Expression; list: Expression[]; offset: number };

export interface NamedExpression {
  name: string;
  expression: Expression;
}

export interface SortKey {
  expression: Expression;
  descending: boolean;
}

export type Operator =
  | { kind: "where"; predicate: Expression }
  | { kind: "project"; columns: NamedExpression[] }
  | { kind: "extend"; columns: NamedExpression[] }
  | { kind: "summarize"; aggregates: Array<{ name: string; function: "count"; offset: number }>; by: NamedExpression[] }
  | { kind: "mv-expand"; column: NamedExpression }
  | { kind: "order"; keys: SortKey[] }
  | { kind: "take"; count: number }
  | { kind: "count" };

export interface Query {
  table: string;
  tableOffset: number;
  operators: Operator[];
}

export const TABLES = ["resources", "resourcecontainers", "policyresources"];
export const FUNCTIONS = ["tolower", "toupper", "tostring", "isnotempty", "isempty", "isnull", "isnotnull", "not", "array_length", "strcat"];
const COMPARISONS = ["==", "!=", "=~", "!~", "<", ">", "<=", ">="];
const WORD_COMPARISONS = ["has", "!has", "contains", "!contains", "startswith", "!startswith", "endswith", "!endswith"];
const IN_OPERATORS = ["in", "!in", "in~", "!in~"];
const OPERATOR_NAMES = ["where", "project", "extend", "summarize", "mv-expand", "order", "sort", "take", "limit", "count"];

class Parser {
  private position = 0;
  private readonly query: string;
  private readonly tokens: Token[];

  constructor(query: string, tokens: Token[]) {
    this.query = query;
    this.tokens = tokens;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.position + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.position++;
    return token;
  }

  private isSymbol(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "symbol" && token.text === text;
  }

  private isWord(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "identifier" && token.text.toLowerCase() === word;
  }

  private fail(token: Token, message: string, kind: KqlErrorKind = "ParserFailure"): never {
    throw errorAt(this.query, token.offset, message, token.text === "" ? "<end of query>" : token.text, kind);
  }

  private expectSymbol(text: string): Token {
    const token = this.next();
    if (token.kind !== "symbol" || token.text !== text) this.fail(token, `Expected '${text}' but found '${token.text || "end of query"}'.`);
    return token;
  }

  private expectWord(word: string): Token {
    const token = this.next();
    if (token.kind !== "identifier" || token.text.toLowerCase() !== word) this.fail(token, `Expected '${word}' but found '${token.text || "end of query"}'.`);
    return token;
  }

  private identifier(what: string): Token {
    const token = this.next();
    if (token.kind !== "identifier") this.fail(token, `Expected ${what} but found '${token.text || "end of query"}'.`);
    return token;
  }

  parseQuery(): Query {
    const table = this.identifier("a table name");
    if (!TABLES.includes(table.text.toLowerCase())) {
      this.fail(table, `The table '${table.text}' is not served; the emulator's Resource Graph answers ${TABLES.join(", ")}.`, "UnknownTable");
    }
    const operators: Operator[] = [];
    while (this.isSymbol("|")) {
      this.next();
      operators.push(this.parseOperator());
    }
    const rest = this.peek();
    if (rest.kind !== "end") this.fail(rest, `Unexpected '${rest.text}': expected '|' and an operator, or the end of the query.`);
    return { table: table.text.toLowerCase(), tableOffset: table.offset, operators };
  }

  private parseOperator(): Operator {
    const token = this.identifier("an operator");
    const name = token.text.toLowerCase();
    switch (name) {
      case "where":
        return { kind: "where", predicate: this.parseExpression() };
      case "project":
        return { kind: "project", columns: this.parseNamedList(false) };
      case "extend":
        return { kind: "extend", columns: this.parseNamedList(true) };
      case "summarize":
        return this.parseSummarize();
      case "mv-expand": {
        const [column] = this.parseNamedList(false, 1);
        return { kind: "mv-expand", column: column! };
      }
      case "order":
      case "sort": {
        this.expectWord("by");
        const keys: SortKey[] = [];
        do {
          if (keys.length > 0) this.next();
          const expression = this.parseExpression();
          let descending = true; // KQL sorts descending unless told otherwise.
          if (this.isWord("asc")) {
            this.next();
            descending = false;
          } else if (this.isWord("desc")) {
            this.next();
          }
          keys.push({ expression, descending });
        } while (this.isSymbol(","));
        return { kind: "order", keys };
      }
      case "take":
      case "limit": {
        const count = this.next();
        if (count.kind !== "number" || !Number.isInteger(count.value)) this.fail(count, `'${name}' needs a whole number of rows.`);
        return { kind: "take", count: count.value as number };
      }
      case "count":
        return { kind: "count" };
      default:
        this.fail(token, `The operator '${token.text}' is not in the emulator's KQL subset (${OPERATOR_NAMES.join(", ")}).`, "UnsupportedOperator");
    }
  }

  private parseSummarize(): Operator {
    const aggregates: Array<{ name: string; function: "count"; offset: number }> = [];
    do {
      if (aggregates.length > 0) this.next();
      let name: string | undefined;
      if (this.peek().kind === "identifier" && this.isSymbol("=", 1)) {
        name = this.next().text;
        this.next();
      }
      const fn = this.identifier("an aggregation");
      if (fn.text.toLowerCase() !== "count") this.fail(fn, `The aggregation '${fn.text}' is not in the emulator's KQL subset (count()).`, "UnsupportedFunction");
      this.expectSymbol("(");
      this.expectSymbol(")");
      aggregates.push({ name: name ?? "count_", function: "count", offset: fn.offset });
    } while (this.isSymbol(","));
    let by: NamedExpression[] = [];
    if (this.isWord("by")) {
      this.next();
      by = this.parseNamedList(false);
    }
    return { kind: "summarize", aggregates, by };
  }

  /** `name = expr` or `expr` (named after its column or path: properties.a → properties_a). */
  private parseNamedList(requireName: boolean, max = Infinity): NamedExpression[] {
    const items: NamedExpression[] = [];
    do {
      if (items.length > 0) this.next();
      const start = this.peek();
      if (start.kind === "identifier" && this.isSymbol("=", 1)) {
        this.next();
        this.next();
        items.push({ name: start.text, expression: this.parseExpression() });
      } else {
        const expression = this.parseExpression();
        const name = impliedName(expression);
        if (requireName || name === undefined) this.fail(start, "This column needs a name: write 'name = expression'.");
        items.push({ name, expression });
      }
    } while (this.isSymbol(",") && items.length < max);
    return items;
  }

  parseExpression(): Expression {
    let left = this.parseAnd();
    while (this.isWord("or")) {
      const token = this.next();
      left = { kind: "binary", operator: "or", left, right: this.parseAnd(), offset: token.offset };
    }
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parseComparison();
    while (this.isWord("and")) {
      const token = this.next();
      left = { kind: "binary", operator: "and", left, right: this.parseComparison(), offset: token.offset };
    }
    return left;
  }

  private parseComparison(): Expression {
    const left = this.parseAdditive();
    const token = this.peek();
    if (token.kind === "symbol" && COMPARISONS.includes(token.text)) {
      this.next();
      return { kind: "binary", operator: token.text, left, right: this.parseAdditive(), offset: token.offset };
    }
    if (token.kind === "identifier") {
      const word = token.text.toLowerCase();
      if (WORD_COMPARISONS.includes(word)) {
        this.next();
        return { kind: "binary", operator: word, left, right: this.parseAdditive(), offset: token.offset };
      }
      if (IN_OPERATORS.includes(word)) {
        this.next();
        this.expectSymbol("(");
        const list: Expression[] = [];
        if (!this.isSymbol(")")) {
          do {
            if (list.length > 0) this.next();
            list.push(this.parseAdditive());
          } while (this.isSymbol(","));
        }
        this.expectSymbol(")");
        return { kind: "in", operator: word, left, list, offset: token.offset };
      }
      if (!["and", "or", "asc", "desc", "by"].includes(word)) {
        this.fail(token, `The operator '${token.text}' is not in the emulator's KQL subset (${[...COMPARISONS, ...WORD_COMPARISONS, ...IN_OPERATORS].join(", ")}).`, "UnsupportedOperator");
      }
    }
    return left;
  }

  private parseAdditive(): Expression {
    let left = this.parseUnary();
    while (this.isSymbol("+") || this.isSymbol("-")) {
      const token = this.next();
      left = { kind: "binary", operator: token.text, left, right: this.parseUnary(), offset: token.offset };
    }
    return left;
  }

  private parseUnary(): Expression {
    if (this.isSymbol("-")) {
      const token = this.next();
      return { kind: "unary", operator: "-", operand: this.parsePostfix(), offset: token.offset };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expression {
    let expression = this.parsePrimary();
    for (;;) {
      if (this.isSymbol(".")) {
        const dot = this.next();
        const name = this.next();
        if (name.kind !== "identifier") this.fail(name, "Expected a property name after '.'.");
        expression = { kind: "member", target: expression, name: name.text, offset: dot.offset };
      } else if (this.isSymbol("[")) {
        const bracket = this.next();
        const index = this.parseExpression();
        this.expectSymbol("]");
        expression = { kind: "index", target: expression, index, offset: bracket.offset };
      } else {
        return expression;
      }
    }
  }

  private parsePrimary(): Expression {
    const token = this.next();
    if (token.kind === "string") return { kind: "literal", value: token.value, offset: token.offset };
    if (token.kind === "number") return { kind: "literal", value: token.value, offset: token.offset };
    if (token.kind === "symbol" && token.text === "(") {
      const inner = this.parseExpression();
      this.expectSymbol(")");
      return inner;
    }
    if (token.kind === "identifier") {
      const word = token.text.toLowerCase();
      if (word === "true" || word === "false") return { kind: "literal", value: word === "true", offset: token.offset };
      if (word === "dynamic" && this.isSymbol("(")) return this.parseDynamic(token);
      if (this.isSymbol("(")) {
        if (!FUNCTIONS.includes(word)) this.fail(token, `The function '${token.text}' is not in the emulator's KQL subset (${FUNCTIONS.join(", ")}).`, "UnsupportedFunction");
        this.next();
        const args: Expression[] = [];
        if (!this.isSymbol(")")) {
          do {
            if (args.length > 0) this.next();
            args.push(this.parseExpression());
          } while (this.isSymbol(","));
        }
        this.expectSymbol(")");
        const arity: Record<string, number> = { strcat: -1 };
        const wanted = arity[word] ?? 1;
        if (wanted !== -1 && args.length !== wanted) this.fail(token, `'${word}' takes ${wanted} argument${wanted === 1 ? "" : "s"}, not ${args.length}.`);
        return { kind: "call", name: word, args, offset: token.offset };
      }
      if (OPERATOR_NAMES.includes(word) && word !== "count") this.fail(token, `Unexpected operator '${token.text}': put '|' before it.`);
      return { kind: "column", name: token.text, offset: token.offset };
    }
    this.fail(token, token.kind === "end" ? "The query ends where an expression was expected." : `Unexpected '${token.text}' where an expression was expected.`);
  }

  /** dynamic([...]) / dynamic({...}) / dynamic(null): the JSON between the parentheses. */
  private parseDynamic(token: Token): Expression {
    const open = this.next();
    let depth = 1;
    const startOffset = open.offset + 1;
    let endOffset = startOffset;
    while (depth > 0) {
      const current = this.next();
      if (current.kind === "end") this.fail(current, "dynamic( is not closed.");
      if (current.kind === "symbol" && current.text === "(") depth++;
      if (current.kind === "symbol" && current.text === ")") depth--;
      endOffset = current.offset;
    }
    const text = this.query
      .slice(startOffset, endOffset)
      .trim()
      .replace(/'((?:[^'\\]|\\.)*)'/g, (_match, inner: string) => JSON.stringify(inner.replace(/\\'/g, "'")));
    try {
      return { kind: "literal", value: text === "" ? null : JSON.parse(text), offset: token.offset };
    } catch {
      this.fail(token, "The value of dynamic(...) is not valid JSON.");
    }
  }
}

/** The column name KQL gives an unnamed expression: a column keeps its name, a path joins with '_'. */
export function impliedName(expression: Expression): string | undefined {
  if (expression.kind === "column") return expression.name;
  if (expression.kind === "member") {
    const base = impliedName(expression.target);
    return base === undefined ? undefined : `${base}_${expression.name}`;
  }
  if (expression.kind === "index" && expression.index.kind === "literal" && typeof expression.index.value === "string") {
    const base = impliedName(expression.target);
    return base === undefined ? undefined : `${base}_${expression.index.value}`;
  }
  return undefined;
}

export function parseQuery(query: string): Query {
  return new Parser(query, tokenize(query)).parseQuery();
}
