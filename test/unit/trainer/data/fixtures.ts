// Test-side references, written independently of the code under test: a pixel reader that recovers
// a scene from an image, a solver that answers the synthetic questions from their text, the R1-VL
// step-body extraction.

export interface SeenShape {
  row: number;
  col: number;
  color: string;
  shape: string;
}

/** Reads coloured shapes back from a planar [3,S,S] image of a grid×grid scene. */
export function readShapes(image: Float32Array, size: number, grid: number): SeenShape[] {
  const cell = Math.floor(size / grid);
  const margin = Math.floor((size - cell * grid) / 2);
  const plane = size * size;
  const out: SeenShape[] = [];
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      const px: [number, number][] = [];
      let rgb: string | null = null;
      for (let y = margin + row * cell; y < margin + (row + 1) * cell; y++) {
        for (let x = margin + col * cell; x < margin + (col + 1) * cell; x++) {
          const o = y * size + x;
          const [r, g, b] = [image[o]!, image[plane + o]!, image[2 * plane + o]!];
          if (r === 1 && g === 1 && b === 1) continue;
          const here = `${r},${g},${b}`;
          if (rgb !== null && rgb !== here) throw new Error(`cell ${row},${col} has two colours`);
          rgb = here;
          px.push([x, y]);
        }
      }
      if (px.length === 0) continue;
      const [r, g, b] = rgb!.split(',').map(Number) as [number, number, number];
      const color = r > 0.5 && g > 0.5 ? 'yellow' : r > 0.5 ? 'red' : g > 0.5 ? 'green' : b > 0.5 ? 'blue' : '?';
      const ys = px.map((p) => p[1]);
      const top = Math.min(...ys);
      const bottom = Math.max(...ys);
      const width = (y: number) => px.filter((p) => p[1] === y).length;
      const xs = px.map((p) => p[0]);
      const box = (Math.max(...xs) - Math.min(...xs) + 1) * (bottom - top + 1);
      const shape = width(top) < width(bottom) ? 'triangle' : px.length === box ? 'square' : 'circle';
      out.push({ row, col, color, shape });
    }
  }
  return out;
}

function inCategory(noun: string, s: SeenShape): boolean {
  if (noun === 'shape') return true;
  const m = /^(\w+) shape$/.exec(noun);
  return m ? s.color === m[1] : s.shape === noun;
}

/** Answers a synthetic question from its text and the shapes seen in the image. Returns the number asked for. */
export function solveQuestion(question: string, seen: SeenShape[]): number {
  const n = (noun: string) => seen.filter((s) => inCategory(noun, s)).length;
  const q = question.split('\n')[0]!;
  let m: RegExpExecArray | null;
  if ((m = /^How many (.+)s and (.+)s are there in total\?$/.exec(q))) return n(m[1]!) + n(m[2]!);
  if ((m = /^How many more (.+)s than (.+)s are there\?$/.exec(q))) return n(m[1]!) - n(m[2]!);
  if ((m = /^Each (.+) is worth (\d+) points and each (.+) is worth (\d+) points\. What is the total score\?$/.exec(q))) {
    return n(m[1]!) * Number(m[2]) + n(m[3]!) * Number(m[4]);
  }
  if ((m = /^If all the (.+)s are removed, how many shapes are left\?$/.exec(q))) return seen.length - n(m[1]!);
  if ((m = /^If all the (.+)s are removed and (\d+) \w+ \w+ (?:is|are) added, how many shapes are there\?$/.exec(q))) {
    return seen.length - n(m[1]!) + Number(m[2]);
  }
  if ((m = /^There are (\d+) copies of this picture\. How many (.+)s are there in all the copies\?$/.exec(q))) return n(m[2]!) * Number(m[1]);
  throw new Error(`unrecognised question: ${q}`);
}

/** The expected final answer: the number, or its letter when the question lists choices. */
export function expectedAnswer(question: string, value: number): string {
  const m = /\nChoices: A\. (\d+) B\. (\d+) C\. (\d+) D\. (\d+)$/.exec(question);
  if (!m) return String(value);
  const k = m.slice(1).map(Number).indexOf(value);
  if (k < 0) throw new Error(`value ${value} is not among the choices of: ${question}`);
  return 'ABCD'[k]!;
}

/** R1-VL's key-step search text: step bodies joined with spaces, lowercased (released grpo.py). */
export function r1vlStepText(chain: string): string {
  return [...chain.matchAll(/### Step \d+:\s*([\s\S]*?)(?=\n###|$)/g)]
    .map((m) => m[1])
    .join(' ')
    .toLowerCase();
}
