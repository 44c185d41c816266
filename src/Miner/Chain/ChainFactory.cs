namespace Kiln.Miner.Chain;

/// <summary>The miner's one chain, for sealing and proving, from its options.</summary>
public static partial class ChainFactory
{
    /// <summary>
    /// The Lotus full node of <see cref="Proving.ProvingOptions.FullNodeApiInfo"/> when set (nothing is dialled until the
    /// first call), else the devnet chain with its genesis now.
    /// </summary>
    /// <exception cref="FormatException">The full node's API info cannot be read.</exception>
    public static IChain Create(MinerOptions miner, TimeProvider time, ILoggerFactory loggers)
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
            return node;
        }

        Log.Devnet(logger, options.EpochDuration);
        return new DevnetChain(DevnetChain.DefaultSeed, time, options.EpochDuration, time.GetUtcNow());
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6301, EventName = "ChainFullNode", Level = LogLevel.Information, Message = "chain: Lotus full node at {Endpoint} (miner {Miner}, head polled every {Poll}): tickets, seeds, deadlines and PoSt randomness come from it")]
        public static partial void FullNode(ILogger logger, Uri endpoint, string miner, TimeSpan poll);

        [LoggerMessage(EventId = 6302, EventName = "ChainDevnet", Level = LogLevel.Information, Message = "chain: devnet clock (epochs of {Epoch}, deadlines at number mod 48, randomness from the devnet seed)")]
        public static partial void Devnet(ILogger logger, TimeSpan epoch);
    }
}
