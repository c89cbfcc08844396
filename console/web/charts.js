// charts — ECharts for the pages that draw (统计报表, 领导驾驶舱): echarts.min.js is served by
// this node and loaded on first use; the charts of the page shown resize with the window.
let charts = [];

export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/console/vendor/echarts.min.js';
    s.onload = () => resolve(window.echarts);
    s.onerror = () => reject(new Error('图表组件加载失败'));
    document.head.append(s);
  });
}

window.addEventListener('resize', () => { for (const c of charts) c.resize(); });

// Drops the charts of the page drawn before (a new page draws its own).
export function disposeCharts() {
  for (const c of charts) c.dispose();
  charts = [];
}

// A chart of `option` in el, kept for resizing until the next disposeCharts().
export async function drawChart(el, option) {
  const echarts = await loadECharts();
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption(option);
  charts.push(chart);
  return chart;
}
