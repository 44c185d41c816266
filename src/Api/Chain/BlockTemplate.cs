using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>
/// Lotus <c>api.BlockTemplate</c> (MinerCreateBlock): what a block producer hands the node to build and sign a block.
/// </summary>
public sealed record BlockTemplate
{
    /// <summary>The miner actor's address.</summary>
    public Address Miner { get; init; }

    /// <summary>The parent tipset's key.</summary>
    public IReadOnlyList<Cid> Parents { get; init; } = [];

    /// <summary>The block's ticket.</summary>
    public Ticket? Ticket { get; init; }

    /// <summary>The winning election proof.</summary>
    public ElectionProof? Eproof { get; init; }

    /// <summary>The beacon entries the block carries.</summary>
    public IReadOnlyList<BeaconEntry> BeaconValues { get; init; } = [];

    /// <summary>The messages the block includes (from MpoolSelect).</summary>
    public IReadOnlyList<SignedMessage> Messages { get; init; } = [];

    /// <summary>The block's epoch: base height + null rounds + 1.</summary>
    public long Epoch { get; init; }

    /// <summary>The block's timestamp (Unix seconds): the base's min timestamp + block delay × (null rounds + 1).</summary>
    public ulong Timestamp { get; init; }

    /// <summary>The Winning PoSt.</summary>
    public IReadOnlyList<PoStProof> WinningPoStProof { get; init; } = [];
}
