namespace Kiln.Miner.Ui;

/// <summary>The body of every refused <c>/ui/api</c> request: what went wrong and, for auth failures, how to get a token.</summary>
public sealed record DashboardError(string Error);
