using Kiln.Miner.Chain.Devnet;

namespace Kiln.Miner.Chain;

/// <summary>The miner's one chain, for sealing and proving, from its options.</summary>
public static partial class ChainFactory
{
    /// <summary>
    /// The Lotus full node of <see cref="Proving.ProvingOptions.FullNodeApiInfo"/> when set (nothing is dialled until the
    /// first call); else the in-process devnet chain, its state in <paramref name="repoPath"/> (<see cref="DevnetNode.StateFileName"/>;
    /// in memory when null), read through the same <see cref="FullNodeChain"/> as a real node. The devnet node is
    /// returned too (null with a full node), for tests and the devnet command.
    /// </summary>
    /// <exception cref="FormatException">The full node's API info cannot be read.</exception>
    /// <exception cref="InvalidDataException">The devnet chain's state file cannot be read.</exception>
    public static (IChain Chain, DevnetNode? Devnet) Create(MinerOptions miner, string? repoPath, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(miner);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        var options = miner.Proving;
        var logger = loggers.CreateLogger(typeof(ChainFactory));
        if (options.FullNodeApiInfo is { Length: > 0 } info)
        {
            var node = FullNodeChain.Connect(info, miner.Network, options.ChainPollInterval, time, loggers.CreateLogger<FullNodeChain>());
            Log.FullNode(logger, node.Endpoint, node.MinerAddress(miner.ActorId), node.PollInterval);
            return (node, null);
        }

        var devnet = new DevnetNode(
            DevnetNodeOptions.For(miner, repoPath is null ? null : Path.Combine(repoPath, DevnetNode.StateFileName)),
            time,
            loggers.CreateLogger<DevnetNode>());
        Log.Devnet(logger, options.EpochDuration, repoPath is null ? "memory" : Path.Combine(repoPath, DevnetNode.StateFileName));
        return (OverDevnet(devnet, miner.Network, time, loggers), devnet);
    }

    /// <summary>The chain the miner reads over <paramref name="devnet"/>: a <see cref="FullNodeChain"/> polling its head every epoch.</summary>
    public static FullNodeChain OverDevnet(DevnetNode devnet, char network, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(devnet);
        ArgumentNullException.ThrowIfNull(loggers);
        return new FullNodeChain(devnet, DevnetNode.Endpoint, network, devnet.EpochDuration, time, loggers.CreateLogger<FullNodeChain>());
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6301, EventName = "ChainFullNode", Level = LogLevel.Information, Message = "chain: Lotus full node at {Endpoint} (miner {Miner}, head polled every {Poll}): tickets, seeds, deadlines and PoSt randomness come from it")]
        public static partial void FullNode(ILogger logger, Uri endpoint, string miner, TimeSpan poll);

        [LoggerMessage(EventId = 6302, EventName = "ChainDevnet", Level = LogLevel.Information, Message = "chain: the devnet chain, in-process (epochs of {Epoch}, state in {State}), read through the full-node API like a Lotus node")]
        public static partial void Devnet(ILogger logger, TimeSpan epoch, string state);
    }
}
