using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Api.Metrics;

/// <summary>Lotus's <c>/debug/metrics</c>: the process's metrics for Prometheus, without authentication (they hold no secrets).</summary>
public static class MetricsEndpoints
{
    /// <summary>The path Lotus serves its Prometheus metrics on.</summary>
    public const string Path = "/debug/metrics";

    /// <summary>Maps <c>GET /debug/metrics</c> to <paramref name="exporter"/>'s text.</summary>
    public static IEndpointConventionBuilder MapDebugMetrics(this IEndpointRouteBuilder endpoints, PrometheusExporter exporter)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        return endpoints.MapGet(Path, (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Text(exporter.Collect(), PrometheusExporter.ContentType);
        });
    }
}
