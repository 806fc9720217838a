export * from "./losses";
export * from "./markdown";
export * from "./probabilities";
export * from "./seasons";
export * from "./stats";
