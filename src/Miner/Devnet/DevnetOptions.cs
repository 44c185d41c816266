namespace Kiln.Miner.Devnet;

/// <summary>What <c>kiln-miner devnet</c> starts.</summary>
public sealed class DevnetOptions
{
    /// <summary>
    /// Sealing worker processes. Default 2: a PC1 host (AP, PC1) and a PC2 host (PC2, C1, C2); a third and later
    /// ones do every sealing task on their own storage; one alone does everything.
    /// </summary>
    public int Workers { get; set; } = 2;

    /// <summary>CC sectors pledged. Default 2.</summary>
    public int Sectors { get; set; } = 2;

    public string SectorSize { get; set; } = MinerOptions.DefaultSectorSize;

    /// <summary>
    /// The PC1 and PC2 hosts each get their own storage path, so the PC2 host fetches PC1's output over
    /// <c>/remote</c> (the seed's "fetch" scenario). Default false: one shared sealing path, no fetch.
    /// </summary>
    public bool SeparateStorage { get; set; }

    /// <summary>Directory for the miner and worker repos; null = a fresh temporary directory.</summary>
    public string? Directory { get; set; }

    /// <summary>kiln-worker executable; default: the one next to kiln-miner.</summary>
    public string? WorkerBinary { get; set; }

    /// <summary>Workers prove C2 with the insecure test prover (valid on no network). Default true; false needs libfilcrypto.</summary>
    public bool InsecureTestProofs { get; set; } = true;

    /// <summary>Run the proving loop: Window PoSt per deadline and Winning PoSt rounds through PoSt worker processes. Default true.</summary>
    public bool Proving { get; set; } = true;

    /// <summary>Window PoSt and Winning PoSt worker processes, one of each per count. Default 1.</summary>
    public int PoStWorkers { get; set; } = 1;

    /// <summary>One devnet chain epoch; 20 ms makes a deadline 1.2 s and a proving period under a minute.</summary>
    public TimeSpan EpochDuration { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// A sector made unreadable to PoSt reads from the start (<see cref="DevnetSectorFailures"/>): its Window PoSt
    /// skips it and it is declared faulty; <c>kiln-miner devnet fail-sector N --off</c> makes it readable again, and it
    /// is declared recovered. Null: every sector readable.
    /// </summary>
    public ulong? FailSector { get; set; }

    /// <summary>Stay up after the sectors finished (until Ctrl+C).</summary>
    public bool Keep { get; set; }

    /// <summary>Longest time the devnet waits for its sectors. Default 10 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
}
