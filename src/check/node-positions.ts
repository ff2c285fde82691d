// Where each mapping and sequence of a parsed document starts, for check's file:line output. A parse
// records every collection; check looks up only a few (the object, its containers and volumes), so
// positions go into plain arrays, searched directly while a document is small and through a Map
// built on the first look-up once it is large (a List of many objects).

/** Above this many collections a look-up goes through a Map instead of a linear search. */
const LINEAR_SEARCH_LIMIT = 64;

export class NodePositions {
  private readonly nodes: object[] = [];
  private readonly lines: number[] = [];
  private readonly columns: number[] = [];
  private index: Map<object, number> | undefined;

  /** Records a collection's start: 0-based line and column within the document. */
  add(node: object, line: number, column: number): void {
    this.nodes.push(node);
    this.lines.push(line);
    this.columns.push(column);
    this.index?.set(node, this.nodes.length - 1);
  }

  /** 0-based line of a collection's start, or undefined for a value that is not a recorded collection. */
  lineOf(node: object): number | undefined {
    const at = this.find(node);
    return at === -1 ? undefined : this.lines[at];
  }

  /** 0-based column of a collection's start, or undefined for a value that is not a recorded collection. */
  columnOf(node: object): number | undefined {
    const at = this.find(node);
    return at === -1 ? undefined : this.columns[at];
  }

  /** A node recorded twice (a YAML alias of an anchored mapping) is where it was recorded last. */
  private find(node: object): number {
    if (this.nodes.length <= LINEAR_SEARCH_LIMIT) return this.nodes.lastIndexOf(node);
    if (this.index === undefined) {
      this.index = new Map();
      for (let at = 0; at < this.nodes.length; at += 1) this.index.set(this.nodes[at]!, at);
    }
    return this.index.get(node) ?? -1;
  }
}
