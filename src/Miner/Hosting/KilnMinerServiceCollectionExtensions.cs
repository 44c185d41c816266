using Kiln.Miner.Repo;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kiln.Miner.Hosting;

/// <summary>Registers the real miner in a host's services.</summary>
public static class KilnMinerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the miner of <paramref name="repo"/>: <see cref="MinerOptions"/> configured by <paramref name="configure"/> and
    /// validated by <see cref="MinerOptionsValidator"/> when the host starts (<c>ValidateOnStart</c>), the
    /// <see cref="KilnMiner"/> singleton, and the hosted service that starts it once the server has bound and stops it
    /// first when the host stops. The application must call
    /// <see cref="KilnMinerEndpointExtensions.MapKilnMinerAsync"/> before it starts. A <see cref="TimeProvider"/>
    /// registered before this call is the miner's clock; otherwise the system clock.
    /// </summary>
    public static IServiceCollection AddKilnMiner(this IServiceCollection services, MinerRepo repo, Action<MinerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(repo);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(repo);
        services.AddMetrics();
        var options = services.AddOptions<MinerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MinerOptions>, MinerOptionsValidator>());
        services.AddSingleton<KilnMiner>();
        services.AddHostedService<KilnMinerLifecycle>();
        return services;
    }
}
