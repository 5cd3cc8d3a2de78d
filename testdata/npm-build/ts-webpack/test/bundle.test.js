const bundle = require("../dist/bundle.js");
const lib = require("../dist/lib/index.js");

describe("the webpack bundle", () => {
  test("computes as the compiled sources do", () => {
    const pts = [{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 4, y: 3 }];
    expect(bundle.distance(pts[0], pts[2])).toBe(5);
    expect(bundle.centroid(pts)).toEqual(lib.centroid(pts));
    expect(bundle.greet("nix")).toBe("hello, nix");
  });
  test("refuses no points", () => {
    expect(() => bundle.centroid([])).toThrow("no points");
  });
});
