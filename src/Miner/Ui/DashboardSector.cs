namespace Kiln.Miner.Ui;

/// <summary>One sector of the sealing pipeline: its state (Lotus's FSM names), last change and error, if any.</summary>
public sealed record DashboardSector(ulong Number, string State, DateTimeOffset Created, DateTimeOffset Updated, string? Error);
