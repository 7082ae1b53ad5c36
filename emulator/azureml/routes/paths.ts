/** Route patterns, matched case-insensitively as ARM matches them. */
export const WS = "/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.MachineLearningServices/workspaces/:ws";
export const OPERATIONS = "/subscriptions/:sub/providers/Microsoft.MachineLearningServices/locations/:loc";
