namespace Kiln.Api.Logging;

/// <summary>
/// The event id ranges of Kiln's log messages, so that an id names one message in a process: kiln-miner loads
/// Kiln.Api, Kiln.Stores, Kiln.Proofs and Kiln.Miner, kiln-worker the same with Kiln.Worker, and no two
/// <c>[LoggerMessage]</c> methods of one process share an id. Every <c>[LoggerMessage]</c> sets <c>EventId</c> in the
/// range of its type's namespace (the deepest area listed here that covers it) and an <c>EventName</c>; tests check
/// both over the assemblies of each process.
/// <list type="table">
/// <listheader><term>ids</term><description>area</description></listheader>
/// <item><term>1000–1999</term><description>Kiln.Api: JSON-RPC, wire types, metrics</description></item>
/// <item><term>2000–2099</term><description>Kiln.Api.Auth: tokens and permissions</description></item>
/// <item><term>3000–3999</term><description>Kiln.Stores: local paths 3000–3099, remote endpoints and vanilla reads 3100–3199, fetches 3200–3299, index 3300–3399, SQLite 3400–3499, the partition prover 3500–3599</description></item>
/// <item><term>4000–4999</term><description>Kiln.Proofs</description></item>
/// <item><term>5000–6999</term><description>Kiln.Miner: sealing 5000–5099, scheduling 5100–5199, workers 5200–5299, RPC 5300–5399, calls 5400–5499, jobs 5500–5599, proving 6000–6299, chain 6300–6399, dashboard 6500–6599, hosting 6900–6999</description></item>
/// <item><term>7000–7999</term><description>Kiln.Worker: host 7000–7099, RPC 7100–7199, calls 7200–7299, sealing 7300–7399, PoSt 7400–7499, benchmarks 7900–7999</description></item>
/// </list>
/// </summary>
public static class LogEvents
{
    /// <summary>Every area, outer ones (a whole assembly) before the ones inside them.</summary>
    public static IReadOnlyList<LogEventArea> Areas { get; } =
    [
        new("Kiln.Api", 1000, 1999, "JSON-RPC, wire types, metrics"),
        new("Kiln.Api.Auth", 2000, 2099, "tokens and permissions"),
        new("Kiln.Stores", 3000, 3999, "sector storage"),
        new("Kiln.Stores.Local", 3000, 3099, "local storage paths"),
        new("Kiln.Stores.Remote", 3100, 3199, "the /remote endpoints and vanilla proof reads"),
        new("Kiln.Stores.Fetch", 3200, 3299, "fetches from other hosts"),
        new("Kiln.Stores.Index", 3300, 3399, "the sector index"),
        new("Kiln.Stores.Sqlite", 3400, 3499, "SQLite files"),
        new("Kiln.Stores.PoSt", 3500, 3599, "the partition prover"),
        new("Kiln.Proofs", 4000, 4999, "proofs: sealing, PoSt, memory"),
        new("Kiln.Miner", 5000, 6999, "kiln-miner"),
        new("Kiln.Miner.Sealing", 5000, 5099, "the sector pipeline and sealing manager"),
        new("Kiln.Miner.Scheduling", 5100, 5199, "the sealing scheduler"),
        new("Kiln.Miner.Workers", 5200, 5299, "the worker registry"),
        new("Kiln.Miner.Rpc", 5300, 5399, "the miner's RPC API"),
        new("Kiln.Miner.Calls", 5400, 5499, "worker calls and their results"),
        new("Kiln.Miner.Jobs", 5500, 5599, "the job history"),
        new("Kiln.Miner.Proving", 6000, 6299, "window and winning PoSt"),
        new("Kiln.Miner.Chain", 6300, 6399, "the chain: devnet and full node"),
        new("Kiln.Miner.Ui", 6500, 6599, "the dashboard"),
        new("Kiln.Miner.Hosting", 6900, 6999, "the miner host: composition, repo files, backups"),
        new("Kiln.Worker", 7000, 7999, "kiln-worker"),
        new("Kiln.Worker.Run", 7000, 7099, "the worker host"),
        new("Kiln.Worker.Rpc", 7100, 7199, "the worker's RPC API"),
        new("Kiln.Worker.Calls", 7200, 7299, "tracked calls and Return*"),
        new("Kiln.Worker.Sealing", 7300, 7399, "sealing tasks"),
        new("Kiln.Worker.PoSt", 7400, 7499, "PoSt tasks"),
        new("Kiln.Worker.Bench", 7900, 7999, "benchmarks"),
    ];

    /// <summary>The deepest area covering <paramref name="ns"/>; null when none does (a type outside Kiln).</summary>
    public static LogEventArea? AreaOf(string? ns) =>
        Areas.Where(a => a.Covers(ns)).MaxBy(a => a.Namespace.Length);
}
