package cloud.ezscale.opensearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;

import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this process, listening on 127.0.0.1 (the port
 * given, or any), for the differential test of the flow queries: the real
 * engine must answer them as the simulator does. It prints "ready PORT"
 * and runs until its standard input closes, so it never outlives the test.
 */
public final class Node {
    private static final class Embedded extends org.opensearch.node.Node {
        Embedded(Settings s, Collection<Class<? extends Plugin>> plugins) {
            super(InternalSettingsPreparer.prepareEnvironment(s, new HashMap<>(), null, () -> "ezscale-test"), plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("opensearch");
        Settings s = Settings.builder()
            .put("cluster.name", "ezscale-test").put("node.name", "n1").put("path.home", home.toString())
            .put("http.port", args.length > 0 ? args[0] : "0").put("network.host", "127.0.0.1")
            .put("discovery.type", "single-node").put("transport.type", "netty4").put("http.type", "netty4")
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        Embedded node = new Embedded(s, List.of(Netty4Plugin.class));
        node.start();
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the parent to go away
        }
        node.close();
        System.exit(0);
    }
}
